using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Unit.Gateway.RateLimiting;

[Trait("Category", "Unit")]
public class LimitPolicyTests
{
    private static readonly KeyLimits Defaults = new() { Qps = 10, Burst = 20, Concurrency = 8, Tpm = 200_000 };

    [Fact]
    public void For_NoOverrides_UsesTheDefaults() =>
        Assert.Equal(new LimitPolicy(10, 20, 8, 200_000), LimitPolicy.For(null, Defaults));

    [Fact]
    public void For_SomeOverrides_KeepsTheOtherDefaults() =>
        Assert.Equal(new LimitPolicy(10, 20, 2, 5_000), LimitPolicy.For(new KeyLimitsEntry { Concurrency = 2, Tpm = 5_000 }, Defaults));

    [Fact]
    public void For_QpsOverriddenWithoutBurst_BurstIsOneSecondOfQps() =>
        Assert.Equal(new LimitPolicy(50, 50, 8, 200_000), LimitPolicy.For(new KeyLimitsEntry { Qps = 50 }, Defaults));

    [Fact]
    public void For_FractionalQps_BurstIsAtLeastOne() =>
        Assert.Equal(1, LimitPolicy.For(new KeyLimitsEntry { Qps = 0.2 }, Defaults).Burst);

    [Fact]
    public void For_ZeroEverywhere_IsUnlimited() =>
        Assert.True(LimitPolicy.For(new KeyLimitsEntry { Qps = 0, Concurrency = 0, Tpm = 0 }, Defaults).IsUnlimited);
}
