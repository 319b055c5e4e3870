using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Unit.Gateway.RateLimiting;

[Trait("Category", "Unit")]
public class GoDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(12, "12ms")]
    [InlineData(999.2, "1s")]
    [InlineData(1574, "1.574s")]
    [InlineData(1500, "1.5s")]
    [InlineData(1050, "1.05s")]
    [InlineData(1007, "1.007s")]
    [InlineData(59_999, "59.999s")]
    [InlineData(61_000, "1m1s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_723_000, "1h2m3s")]
    public void Format_Milliseconds_WritesGoDurationText(double milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
