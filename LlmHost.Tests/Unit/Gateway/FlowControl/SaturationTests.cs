using System.Diagnostics;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Routing.Load;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>The saturation detector: engine reads, requests sent since, the gateway's cap, stale reads.</summary>
[Trait("Category", "Unit")]
public sealed class SaturationTests
{
    private static readonly FlowControlSettings Settings = new() { Enabled = true, QueueDepthThreshold = 4, KvCacheThreshold = 0.9 };

    private static BackendInstance Instance(int inFlight, EngineLoad? load = null)
    {
        var instance = BackendSelectorTests.Instance("a");
        for (var i = 0; i < inFlight; i++)
        {
            instance.Enter();
        }
        instance.Load = load;
        return instance;
    }

    private static EngineLoad Read(double waiting, double kv = 0.5, int inFlightAtRead = 0, double ageSeconds = 0) =>
        new(Running: 10, waiting, kv, Stopwatch.GetTimestamp() - (long)(ageSeconds * Stopwatch.Frequency), inFlightAtRead);

    [Fact]
    public void RoomOf_NothingWaitingAtTheEngine_Unlimited() =>
        Assert.Equal(Saturation.Unlimited, Saturation.RoomOf(Instance(50, Read(waiting: 0)), Settings));

    [Fact]
    public void RoomOf_EngineQueueAtThreshold_None() =>
        Assert.Equal(0, Saturation.RoomOf(Instance(10, Read(waiting: 4, inFlightAtRead: 10)), Settings));

    [Fact]
    public void RoomOf_RequestsSentSinceTheRead_CountAsWaiting()
    {
        Assert.Equal(3, Saturation.RoomOf(Instance(10, Read(waiting: 1, inFlightAtRead: 10)), Settings));
        Assert.Equal(1, Saturation.RoomOf(Instance(12, Read(waiting: 1, inFlightAtRead: 10)), Settings));
    }

    [Fact]
    public void RoomOf_RequestsEndedSinceTheRead_FreeRoom() =>
        Assert.Equal(3, Saturation.RoomOf(Instance(9, Read(waiting: 2, inFlightAtRead: 10)), Settings));

    [Fact]
    public void RoomOf_KvCacheNearlyFull_OnlyTheThresholdMore()
    {
        Assert.Equal(4, Saturation.RoomOf(Instance(10, Read(waiting: 0, kv: 0.95, inFlightAtRead: 10)), Settings));
        Assert.Equal(0, Saturation.RoomOf(Instance(14, Read(waiting: 0, kv: 0.95, inFlightAtRead: 10)), Settings));
    }

    [Fact]
    public void RoomOf_StaleRead_OnlyTheGatewayCapCounts()
    {
        var capped = new FlowControlSettings { Enabled = true, MaxInFlightPerInstance = 3 };

        Assert.Equal(Saturation.Unlimited, Saturation.RoomOf(Instance(10, Read(waiting: 50, ageSeconds: 60)), Settings));
        Assert.Equal(1, Saturation.RoomOf(Instance(2, Read(waiting: 50, ageSeconds: 60)), capped));
        Assert.Equal(0, Saturation.RoomOf(Instance(5), capped));
    }

    [Fact]
    public void RoomOf_UnavailableInstance_None()
    {
        var instance = Instance(0);
        instance.Reachable = false;

        Assert.Equal(0, Saturation.RoomOf(instance, Settings));
    }

    [Fact]
    public void PickWithRoom_OneSaturated_TheOtherOne()
    {
        var capped = new FlowControlSettings { Enabled = true, MaxInFlightPerInstance = 2 };
        BackendInstance[] instances = [Instance(2), Instance(1)];

        Assert.Equal(1, Saturation.PickWithRoom(instances, capped));
        Assert.Equal(-1, Saturation.PickWithRoom(instances, capped, excluded: 1));
        Assert.Equal(1, Saturation.RoomOf(instances, capped));
    }
}
