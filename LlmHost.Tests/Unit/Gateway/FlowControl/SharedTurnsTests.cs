using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>The replicas' shared turns: who is held back, what a sync sends, and the queue passing over held keys.</summary>
[Trait("Category", "Unit")]
public sealed class SharedTurnsTests
{
    private static readonly TimeSpan NoStarvation = TimeSpan.FromHours(1);
    private const int Saturated = 5; // room from a saturation signal (below Saturation.Unlimited)

    private static void Sync(SharedTurns turns, string? leastKey, double least, params (string Key, double Served)[] served)
    {
        var ask = turns.Ask([.. served.Select(s => s.Key)])!;
        turns.Synced(ask, new SharedTurnCounts(leastKey, least, served.ToDictionary(s => s.Key, s => s.Served)));
    }

    private static SharedTurns Synced(string? leastKey, double least, params (string Key, double Served)[] served)
    {
        var turns = new SharedTurns();
        Sync(turns, leastKey, least, served);
        return turns;
    }

    private static FlowQueue SharedQueue() => new(new RouteEntry("m", [BackendSelectorTests.Instance("a")], [null], RouteSource.Mapping), shared: true);

    private static SharedTurns ClassOf(FlowQueue queue, RequestPriority priority) => queue.Classes()[(int)priority].Shared!;

    [Fact]
    public void IsAhead_MoreThanTheLeadOverTheLeastServedWaitingKey_True()
    {
        var turns = Synced("quiet", 3, ("flood", 3 + SharedTurns.Lead + 1), ("quiet", 3));

        Assert.True(turns.IsAhead("flood"));
        Assert.False(turns.IsAhead("quiet"));
        Assert.True(turns.SomeoneWaits);
    }

    [Fact]
    public void IsAhead_WithinTheLead_False() =>
        Assert.False(Synced("quiet", 3, ("flood", 5), ("quiet", 3)).IsAhead("flood"));

    [Fact]
    public void IsAhead_TheLeastServedKeyItself_NeverHeldHoweverManyTurnsItTookSince()
    {
        var turns = Synced("flood", 10, ("flood", 10));
        for (var i = 0; i < 10; i++)
        {
            turns.Took("flood", 1);
        }

        Assert.False(turns.IsAhead("flood"));
    }

    [Fact]
    public void Took_TurnsServedHereSinceTheSync_CountAtOnceByWeight()
    {
        var turns = Synced("quiet", 3, ("flood", 4), ("heavy", 4), ("quiet", 3));
        turns.Took("flood", 1);
        turns.Took("heavy", 4);

        Assert.False(turns.IsAhead("flood")); // 5 is not more than 3 + 2
        Assert.False(turns.IsAhead("heavy"));
        turns.Took("flood", 1);
        Assert.True(turns.IsAhead("flood")); // 6
        Assert.False(turns.IsAhead("heavy")); // 4.25
    }

    [Fact]
    public void IsAhead_TurnsTakenHereByTheLeastServedKey_NarrowTheLead()
    {
        var turns = Synced("quiet", 3, ("flood", 6), ("quiet", 3));
        Assert.True(turns.IsAhead("flood"));

        turns.Took("quiet", 1);

        Assert.False(turns.IsAhead("flood"));
    }

    [Fact]
    public void IsAhead_NeverSyncedUnknownKeyOrNobodyWaiting_False()
    {
        Assert.False(new SharedTurns().IsAhead("flood"));
        Assert.False(Synced("quiet", 0, ("quiet", 0)).IsAhead("new-key"));
        var idle = Synced(null, 0, ("flood", 50));
        Assert.False(idle.IsAhead("flood"));
        Assert.False(idle.SomeoneWaits);
    }

    [Fact]
    public async Task IsAhead_MirrorOlderThanFreshFor_False()
    {
        var turns = Synced("quiet", 0, ("flood", 10), ("quiet", 0));
        Assert.True(turns.IsAhead("flood"));

        await Task.Delay(SharedTurns.FreshFor + TimeSpan.FromMilliseconds(100));

        Assert.False(turns.IsAhead("flood"));
        Assert.False(turns.SomeoneWaits);
    }

    [Fact]
    public void Ask_NothingWaitingUnsentOrContended_Null()
    {
        Assert.Null(new SharedTurns().Ask([]));
        Assert.Null(Synced(null, 0, ("a", 1)).Ask([]));
        Assert.NotNull(Synced("a", 1, ("a", 1)).Ask([])); // a key waits elsewhere: keep reading
    }

    [Fact]
    public void Ask_TotalsSentUntilAnsweredThenOnlyNewTurns()
    {
        var turns = new SharedTurns();
        turns.Took("flood", 1);
        turns.Took("flood", 2);
        var first = turns.Ask(["quiet"])!;
        Assert.Equal([("quiet", 0.0, true), ("flood", 1.5, false)], first.Keys);

        // Unanswered (Redis away): the same total again with the next, never a sum of both.
        Assert.Equal(1.5, turns.Ask([])!.Keys.Single(k => k.Key == "flood").Total);
        turns.Took("flood", 1); // while the sync is out
        turns.Synced(first, new SharedTurnCounts(null, 0, new Dictionary<string, double> { ["flood"] = 1.5 }));

        var next = turns.Ask([])!;
        Assert.Equal(2.5, next.Keys.Single(k => k.Key == "flood").Total);
        turns.Synced(next, new SharedTurnCounts(null, 0, new Dictionary<string, double>()));
        Assert.Null(turns.Ask([]));
    }

    [Fact]
    public void Dispatch_HeldKey_PassedOverForTheNextKey_NothingWhenAllAreHeld()
    {
        var queue = SharedQueue();
        Sync(ClassOf(queue, RequestPriority.Default), "elsewhere", 0, ("flood", 10), ("quiet", 0));
        var flood = queue.Enqueue("flood", 1, RequestPriority.Default, 10, 10, out _)!;
        var quiet = queue.Enqueue("quiet", 1, RequestPriority.Default, 10, 10, out _)!;

        Assert.Equal(1, queue.Dispatch(room: Saturated, NoStarvation));
        Assert.True(quiet.Turn.IsCompleted);
        Assert.False(flood.Turn.IsCompleted);
        Assert.Equal(0, queue.Dispatch(room: Saturated, NoStarvation)); // the room is left to the replica where "elsewhere" waits
        Assert.False(queue.TryPass(room: Saturated, "flood", 1));
        Assert.Contains(("quiet", 1.0, false), ClassOf(queue, RequestPriority.Default).Ask([])!.Keys);
    }

    [Fact]
    public void DispatchAndTryPass_RoomUnlimited_QueuedKeyStillHeld_ArrivalWithNobodyQueuedPasses()
    {
        var queue = SharedQueue();
        var shared = ClassOf(queue, RequestPriority.Default);
        Sync(shared, "elsewhere", 0, ("flood", 10));
        var flood = queue.Enqueue("flood", 1, RequestPriority.Default, 10, 10, out _)!;

        Assert.Equal(0, queue.Dispatch(room: Saturation.Unlimited, NoStarvation));
        Assert.False(flood.Turn.IsCompleted);
        Assert.True(queue.TryRemove(flood));

        Assert.True(queue.TryPass(room: Saturation.Unlimited, "flood", 1)); // an engine with room is not left idle
        Assert.Contains(("flood", 1.0, false), shared.Ask([])!.Keys); // a key waits elsewhere: the turn counts
    }

    [Fact]
    public void TryPass_RoomUnlimitedAndNobodyWaitingAnywhere_CountsNothing()
    {
        var queue = SharedQueue();

        Assert.True(queue.TryPass(room: Saturation.Unlimited, "k", 1));

        Assert.Null(ClassOf(queue, RequestPriority.Default).Ask([]));
    }

    [Fact]
    public void Dispatch_ClassAllHeld_DoesNotFallBackToALowerClass()
    {
        var queue = SharedQueue();
        Sync(ClassOf(queue, RequestPriority.Default), "elsewhere", 0, ("flood", 10));
        queue.Enqueue("flood", 1, RequestPriority.Default, 10, 10, out _);
        var batch = queue.Enqueue("flood", 1, RequestPriority.Batch, 10, 10, out _)!;

        Assert.Equal(0, queue.Dispatch(room: Saturated, NoStarvation));
        Assert.False(batch.Turn.IsCompleted);
    }

    [Fact]
    public void Dispatch_HigherClassWaitsOnAnotherReplica_LowerClassWaitsUnlessStarving()
    {
        var queue = SharedQueue();
        Sync(ClassOf(queue, RequestPriority.Interactive), "elsewhere", 0, ("elsewhere", 0));
        var batch = queue.Enqueue("k", 1, RequestPriority.Batch, 10, 10, out _)!;

        Assert.Equal(0, queue.Dispatch(room: Saturated, NoStarvation));
        Assert.False(queue.TryPass(room: Saturated, "k", 1, RequestPriority.Default));
        // Once its oldest waited starvation_after: one chance in four, however many wait.
        var more = Enumerable.Range(0, 8).Select(_ => queue.Enqueue("k", 1, RequestPriority.Batch, 10, 10, out QueueOutcome _)!).ToList();
        var dispatched = Enumerable.Range(0, FlowQueue.StarvationShare).Sum(_ => queue.Dispatch(room: Saturated, starvationAfter: TimeSpan.Zero));
        Assert.Equal(1, dispatched);
        Assert.True(batch.Turn.IsCompleted);
        Assert.All(more, r => Assert.False(r.Turn.IsCompleted));
    }

    [Fact]
    public void TryPass_Saturated_CountsTheTurnByWeight_InItsClass()
    {
        var queue = SharedQueue();

        Assert.True(queue.TryPass(room: Saturated, "k", 2, RequestPriority.Batch));

        Assert.Equal(0.5, ClassOf(queue, RequestPriority.Batch).Ask([])!.Keys.Single().Total);
        Assert.Null(ClassOf(queue, RequestPriority.Default).Ask([]));
    }
}
