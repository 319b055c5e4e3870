using LlmHost.Backends.Configuration;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>Waiting for a turn: passing, queueing until room, timeouts, a client leaving while queued.</summary>
[Trait("Category", "Unit")]
public sealed class FlowControllerTests
{
    private static (FlowController Flow, RouteEntry Route, BackendInstance Instance) Start(TimeSpan? timeout = null)
    {
        var config = new LlmHostConfig();
        config.Routing.FlowControl = new FlowControlSettings
        {
            Enabled = true, MaxInFlightPerInstance = 1, QueueTimeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        var instance = BackendSelectorTests.Instance("a");
        var route = new RouteEntry("m", [instance], [null], RouteSource.Mapping);
        return (new FlowController(new StaticOptionsMonitor(config)), route, instance);
    }

    [Fact]
    public async Task WaitTurnAsync_RoomThenSaturated_PassesThenQueuesUntilARequestEnds()
    {
        var (flow, route, instance) = Start();

        var first = await flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None);
        var third = flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None).AsTask();
        instance.Enter();
        first.Queue!.Sent();
        var second = flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None).AsTask();
        await Task.Delay(50);

        // Let through but not yet in flight, the first still holds the room: a request arriving meanwhile waits.
        Assert.Equal(QueueOutcome.Passed, first.Outcome);
        Assert.False(third.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(2, flow.Lengths().Single().Value);
        instance.Leave();
        flow.Pump();
        var turn = await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(QueueOutcome.Dispatched, turn.Outcome);
        Assert.True(turn.Waited >= TimeSpan.FromMilliseconds(40));
        Assert.False(second.IsCompleted);
        Assert.Equal(1, flow.Lengths().Single().Value);
    }

    [Fact]
    public async Task WaitTurnAsync_ClientLeavesWhileQueued_LeavesTheQueueAtOnce()
    {
        var (flow, route, instance) = Start();
        instance.Enter();
        using var client = new CancellationTokenSource();

        var waiting = flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, client.Token).AsTask();
        await Task.Delay(20);
        client.Cancel();
        var turn = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(QueueOutcome.Cancelled, turn.Outcome);
        Assert.Equal(0, flow.Lengths().Single().Value);
        instance.Leave();
        Assert.Equal(QueueOutcome.Passed, (await flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task WaitTurnAsync_StaysSaturated_TimesOut()
    {
        var (flow, route, instance) = Start(TimeSpan.FromMilliseconds(100));
        instance.Enter();

        var turn = await flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None);

        Assert.Equal(QueueOutcome.TimedOut, turn.Outcome);
        Assert.Equal(0, flow.Lengths().Single().Value);
    }

    [Fact]
    public async Task WaitTurnAsync_InstanceGoneWhileQueued_Unavailable()
    {
        var (flow, route, instance) = Start(TimeSpan.FromMilliseconds(100));
        instance.Enter();

        var waiting = flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None).AsTask();
        instance.Reachable = false;

        Assert.Equal(QueueOutcome.Unavailable, (await waiting).Outcome);
    }

    [Fact]
    public async Task WaitTurnAsync_FlowControlOff_PassesWhateverTheLoad()
    {
        var (flow, route, instance) = Start();
        flow.Settings.Enabled = false;
        instance.Enter();

        Assert.Equal(QueueOutcome.Passed, (await flow.WaitTurnAsync(route, "k", 1, RequestPriority.Default, CancellationToken.None)).Outcome);
        Assert.Empty(flow.Lengths());
    }
}
