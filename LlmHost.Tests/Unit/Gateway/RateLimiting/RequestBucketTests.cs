using System.Diagnostics;
using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Unit.Gateway.RateLimiting;

/// <summary>The counters behind concurrency and requests per second.</summary>
[Trait("Category", "Unit")]
public sealed class RequestBucketTests
{
    private static long At(double seconds) => (long)(seconds * Stopwatch.Frequency);

    [Fact]
    public void TryTake_BurstSpent_RefusedWithTheTimeUntilTheNextToken()
    {
        var bucket = new RequestBucket(burst: 2, qps: 4, now: At(0));

        Assert.True(bucket.TryTake(At(0), out _));
        Assert.True(bucket.TryTake(At(0), out _));
        Assert.False(bucket.TryTake(At(0.1), out var retryAfter));

        Assert.Equal(0.15, retryAfter.TotalSeconds, 3); // 0.4 of a token after 0.1 s at 4/s: 0.6 more takes 0.15 s
        Assert.True(bucket.TryTake(At(0.25), out _));
    }

    [Fact]
    public void Available_RefillsWithTimeUpToTheBurst()
    {
        var bucket = new RequestBucket(burst: 3, qps: 1, now: At(0));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.TryTake(At(0), out _));
        }

        Assert.Equal(0, bucket.Available(At(0.5)));
        Assert.Equal(2, bucket.Available(At(2)));
        Assert.Equal(3, bucket.Available(At(100)));
    }

    [Fact]
    public void TryTake_ConcurrencySlotsUnderContention_NeverMoreThanTheLimit()
    {
        var slots = new ConcurrencySlots(5);
        var taken = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (slots.TryTake())
            {
                Interlocked.Increment(ref taken);
            }
        });

        Assert.Equal(5, taken);
        Assert.Equal(0, slots.Available);
        slots.Release();
        Assert.Equal(1, slots.Available);
        Assert.True(slots.TryTake());
    }
}
