using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Routing.Sessions;

namespace LlmHost.Tests.Unit.Gateway.Routing;

/// <summary>Session pins: remembered, bounded, expired; a pinned instance kept while it is available and not much busier.</summary>
[Trait("Category", "Unit")]
public sealed class SessionAffinityTests
{
    private static readonly PrefixRoutingSettings Thresholds = new() { BalanceAbsThreshold = 4, BalanceRelThreshold = 1.5 };

    [Fact]
    public void Find_PinnedSession_ItsInstanceUntilItExpires()
    {
        var pins = new SessionPins();
        pins.Pin(42, "engine-2", capacity: 100);

        Assert.Equal("engine-2", pins.Find(42, TimeSpan.FromMinutes(1)));
        Assert.Null(pins.Find(43, TimeSpan.FromMinutes(1)));
        Assert.Null(pins.Find(42, TimeSpan.Zero));
    }

    [Fact]
    public void Pin_FarMoreSessionsThanCapacity_BoundedAndTheRecentKept()
    {
        var pins = new SessionPins();
        for (ulong session = 0; session < 10_000; session++)
        {
            pins.Pin(session, "e", capacity: 100);
        }

        Assert.InRange(pins.Count, 1, 100);
        Assert.Equal("e", pins.Find(9_999, TimeSpan.FromMinutes(1)));
        Assert.Null(pins.Find(0, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void PickPinned_AvailableAndNotMuchBusier_KeptElseLeftToThePolicy()
    {
        BackendInstance Busy(string name, int outstanding)
        {
            var instance = BackendSelectorTests.Instance(name);
            for (var i = 0; i < outstanding; i++)
            {
                instance.Enter();
            }
            return instance;
        }
        BackendInstance[] instances = [Busy("a", 0), Busy("b", 3), Busy("c", 9)];

        Assert.Equal(1, BackendSelector.PickPinned(instances, "b", Thresholds));
        Assert.Equal(-1, BackendSelector.PickPinned(instances, "c", Thresholds)); // 9 vs 0: over both thresholds
        Assert.Equal(-1, BackendSelector.PickPinned(instances, "gone", Thresholds));
        Assert.Equal(-1, BackendSelector.PickPinned(instances, null, Thresholds));
        Assert.Equal(-1, BackendSelector.PickPinned(instances, "b", Thresholds, excluded: 1));
        instances[1].Reachable = false;
        Assert.Equal(-1, BackendSelector.PickPinned(instances, "b", Thresholds));
    }

    [Fact]
    public void AppliesTo_HeaderOrUserFieldAndTheModelList()
    {
        Assert.False(new SessionAffinitySettings().AppliesTo("m"));
        Assert.True(new SessionAffinitySettings { Header = "x-session-id" }.AppliesTo("m"));
        Assert.True(new SessionAffinitySettings { UserField = true, Models = ["m"] }.AppliesTo("m"));
        Assert.False(new SessionAffinitySettings { UserField = true, Models = ["m"] }.AppliesTo("other"));
    }
}
