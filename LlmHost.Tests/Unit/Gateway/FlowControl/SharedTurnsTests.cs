using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>The replicas' shared turns: who is held back, and the queue passing over a held key.</summary>
[Trait("Category", "Unit")]
public sealed class SharedTurnsTests
{
    private static readonly TimeSpan NoStarvation = TimeSpan.FromHours(1);

    private static SharedTurns Synced(string? leastKey, double least, double second, params (string Key, double Served)[] served)
    {
        var turns = new SharedTurns();
        turns.BeginSync();
        turns.Synced(new SharedTurnCounts(leastKey, least, second, served.ToDictionary(s => s.Key, s => s.Served)));
        return turns;
    }

    [Fact]
    public void IsAhead_MoreThanTheLeadOverTheLeastWaitingElsewhere_True()
    {
        var turns = Synced("quiet", 3, double.PositiveInfinity, ("flood", 3 + SharedTurns.Lead + 1), ("quiet", 3));

        Assert.True(turns.IsAhead("flood"));
        Assert.False(turns.IsAhead("quiet"));
    }

    [Fact]
    public void IsAhead_WithinTheLead_False()
    {
        var turns = Synced("quiet", 3, 5, ("flood", 5), ("quiet", 3));

        Assert.False(turns.IsAhead("flood"));
    }

    [Fact]
    public void IsAhead_TheLeastServedKeyItself_ComparedWithTheNextLeast()
    {
        // Alone among the waiting keys, a key is never ahead of itself, however many turns it took since.
        var turns = Synced("flood", 10, double.PositiveInfinity, ("flood", 10));
        for (var i = 0; i < 10; i++)
        {
            turns.Took("flood", 1);
        }

        Assert.False(turns.IsAhead("flood"));
    }

    [Fact]
    public void Took_TurnsServedHereSinceTheSync_CountAtOnceByWeight()
    {
        var turns = Synced("quiet", 3, double.PositiveInfinity, ("flood", 4), ("heavy", 4), ("quiet", 3));
        turns.Took("flood", 1);
        turns.Took("heavy", 4);

        Assert.False(turns.IsAhead("flood")); // 5 is not more than 3 + 2
        Assert.False(turns.IsAhead("heavy"));
        turns.Took("flood", 1);
        Assert.True(turns.IsAhead("flood")); // 6
        Assert.False(turns.IsAhead("heavy")); // 4.25
    }

    [Fact]
    public void IsAhead_TurnsTakenByTheLeastKeyHere_NarrowTheLead()
    {
        var turns = Synced("quiet", 3, double.PositiveInfinity, ("flood", 6), ("quiet", 3));
        Assert.True(turns.IsAhead("flood"));

        turns.Took("quiet", 1);

        Assert.False(turns.IsAhead("flood"));
    }

    [Fact]
    public void IsAhead_NeverSyncedOrUnknownKey_False()
    {
        Assert.False(new SharedTurns().IsAhead("flood"));
        Assert.False(Synced("quiet", 0, double.PositiveInfinity, ("quiet", 0)).IsAhead("new-key"));
    }

    [Fact]
    public void BeginSync_UnansweredSync_TurnsSentAgainWithTheNext()
    {
        var turns = new SharedTurns();
        turns.Took("flood", 1);
        Assert.Equal(1, turns.BeginSync()["flood"]);

        turns.Took("flood", 2);

        Assert.Equal(1.5, turns.BeginSync()["flood"]);
        turns.Synced(SharedTurnCounts.None);
        Assert.Empty(turns.BeginSync());
    }

    [Fact]
    public void Dispatch_HeldKey_PassedOverForTheNextKey_NothingWhenAllAreHeld()
    {
        var queue = new FlowQueue(new RouteEntry("m", [BackendSelectorTests.Instance("a")], [null], RouteSource.Mapping), shared: true);
        var shared = queue.Classes()[(int)RequestPriority.Default].Shared!;
        shared.BeginSync();
        shared.Synced(new SharedTurnCounts("elsewhere", 0, double.PositiveInfinity, new Dictionary<string, double> { ["flood"] = 10, ["quiet"] = 0 }));
        var flood = queue.Enqueue("flood", 1, RequestPriority.Default, 10, 10, out _)!;
        var quiet = queue.Enqueue("quiet", 1, RequestPriority.Default, 10, 10, out _)!;

        Assert.Equal(1, queue.Dispatch(room: 5, NoStarvation));
        Assert.True(quiet.Turn.IsCompleted);
        Assert.False(flood.Turn.IsCompleted);
        Assert.Equal(0, queue.Dispatch(room: 5, NoStarvation)); // the room is left to the replica where "elsewhere" waits
        Assert.False(queue.TryPass(room: 5, "flood", 1));
        Assert.Equal(1, shared.BeginSync()["quiet"]);
    }

    [Fact]
    public void TryPass_KeyNotHeld_CountsItsTurn()
    {
        var queue = new FlowQueue(new RouteEntry("m", [BackendSelectorTests.Instance("a")], [null], RouteSource.Mapping), shared: true);

        Assert.True(queue.TryPass(room: 5, "k", 2, RequestPriority.Batch));

        Assert.Equal(0.5, queue.Classes()[(int)RequestPriority.Batch].Shared!.BeginSync()["k"]);
        Assert.Empty(queue.Classes()[(int)RequestPriority.Default].Shared!.BeginSync());
    }
}
