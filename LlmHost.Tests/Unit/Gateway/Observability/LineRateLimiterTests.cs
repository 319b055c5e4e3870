using System.Diagnostics;
using LlmHost.Gateway.Observability.AccessLogging;

namespace LlmHost.Tests.Unit.Gateway.Observability;

[Trait("Category", "Unit")]
public class LineRateLimiterTests
{
    [Fact]
    public void TryTake_AfterTheBurst_RefusesUntilTimeRefills()
    {
        long now = 0;
        var limiter = new LineRateLimiter(() => now);

        var taken = Enumerable.Range(0, 5000).Count(_ => limiter.TryTake());
        Assert.Equal(LineRateLimiter.Burst, taken);

        now += Stopwatch.Frequency / 2; // half a second: 100 lines
        Assert.Equal(LineRateLimiter.LinesPerSecond / 2, Enumerable.Range(0, 5000).Count(_ => limiter.TryTake()));

        now += Stopwatch.Frequency * 3600L; // an hour idle refills the burst, not more
        Assert.Equal(LineRateLimiter.Burst, Enumerable.Range(0, 5000).Count(_ => limiter.TryTake()));
    }
}
