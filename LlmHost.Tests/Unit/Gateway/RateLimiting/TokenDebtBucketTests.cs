using System.Diagnostics;
using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Unit.Gateway.RateLimiting;

[Trait("Category", "Unit")]
public class TokenDebtBucketTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void TryReserve_BalanceCovers_TakesTheTokens()
    {
        var bucket = new TokenDebtBucket(600, 0);
        Assert.True(bucket.TryReserve(400, 0, out _));
        Assert.Equal(200, bucket.Peek(0).Remaining);
        Assert.Equal(1, bucket.OpenReservations);
        Assert.Equal(400, bucket.ReservedTokens);
    }

    [Fact]
    public void TryReserve_BalanceShort_RefusesWithTheRefillTime()
    {
        var bucket = new TokenDebtBucket(600, 0); // 10 tokens a second
        Assert.True(bucket.TryReserve(600, 0, out _));
        Assert.False(bucket.TryReserve(50, 0, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
        Assert.True(bucket.TryReserve(50, 5 * Second, out _));
    }

    [Fact]
    public void Settle_UnderEstimate_LeavesDebtThatLaterRequestsWaitOut()
    {
        var bucket = new TokenDebtBucket(600, 0);
        Assert.True(bucket.TryReserve(100, 0, out _));
        bucket.Settle(100, 700, 0);
        Assert.Equal(0, bucket.Peek(0).Remaining);
        Assert.Equal(700, bucket.Used(0));
        Assert.False(bucket.TryReserve(1, 9 * Second, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1.1), retryAfter);
        Assert.True(bucket.TryReserve(1, 11 * Second, out _));
    }

    [Fact]
    public void Settle_OverEstimate_RefundsTheRest()
    {
        var bucket = new TokenDebtBucket(600, 0);
        Assert.True(bucket.TryReserve(500, 0, out _));
        bucket.Settle(500, 120, 0);
        Assert.Equal(480, bucket.Peek(0).Remaining);
        Assert.Equal(0, bucket.OpenReservations);
        Assert.Equal(0, bucket.ReservedTokens);
    }

    [Fact]
    public void Peek_AfterUse_ReportsTimeUntilFull()
    {
        var bucket = new TokenDebtBucket(600, 0);
        Assert.True(bucket.TryReserve(300, 0, out _));
        Assert.Equal(TimeSpan.FromSeconds(30), bucket.Peek(0).Reset);
        Assert.Equal(600, bucket.Peek(60 * Second).Remaining);
    }
}
