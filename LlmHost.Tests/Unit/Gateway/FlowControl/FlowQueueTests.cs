using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>The queue's order: keys in turn by weight, classes by priority, no starvation; bounds and leaving.</summary>
[Trait("Category", "Unit")]
public sealed class FlowQueueTests
{
    private static readonly TimeSpan NoStarvation = TimeSpan.FromHours(1);

    private static FlowQueue Queue() => new(new RouteEntry("m", [BackendSelectorTests.Instance("a")], [null], RouteSource.Mapping));

    private static QueuedRequest Add(FlowQueue queue, string key, RequestPriority priority = RequestPriority.Default, int weight = 1) =>
        queue.Enqueue(key, weight, priority, 1000, 1000, out _)!;

    // Lets the requests through one at a time (each sent before the next), in the order the queue chooses.
    private static List<QueuedRequest> Drain(FlowQueue queue, IEnumerable<QueuedRequest> waiting, TimeSpan starvationAfter)
    {
        var pending = waiting.ToList();
        var order = new List<QueuedRequest>();
        while (queue.Count > 0)
        {
            Assert.Equal(1, queue.Dispatch(1, starvationAfter));
            var next = pending.Single(r => r.Turn.IsCompleted);
            order.Add(next);
            pending.Remove(next);
            queue.Sent();
        }
        return order;
    }

    [Fact]
    public void Dispatch_OneKeyFloods_OtherKeysServedInTurn()
    {
        var queue = Queue();
        var flood = Enumerable.Range(0, 6).Select(_ => Add(queue, "noisy")).ToList();
        var quiet = new[] { Add(queue, "quiet-1"), Add(queue, "quiet-2") };

        var order = Drain(queue, [.. flood, .. quiet], NoStarvation);

        // noisy, quiet-1, quiet-2, then the rest of noisy's line in its own order.
        Assert.Equal([flood[0], quiet[0], quiet[1], .. flood[1..]], order);
    }

    [Fact]
    public void Dispatch_KeyWithWeightTwo_ServedTwiceATurn()
    {
        var queue = Queue();
        var heavy = Enumerable.Range(0, 4).Select(_ => Add(queue, "heavy", weight: 2)).ToList();
        var light = Enumerable.Range(0, 2).Select(_ => Add(queue, "light")).ToList();

        var order = Drain(queue, [.. heavy, .. light], NoStarvation);

        Assert.Equal([heavy[0], heavy[1], light[0], heavy[2], heavy[3], light[1]], order);
    }

    [Fact]
    public void Dispatch_HigherClassWaiting_GoesFirst()
    {
        var queue = Queue();
        var batch = Add(queue, "k", RequestPriority.Batch);
        var normal = Add(queue, "k", RequestPriority.Default);
        var interactive = Add(queue, "other", RequestPriority.Interactive);

        Assert.Equal([interactive, normal, batch], Drain(queue, [batch, normal, interactive], NoStarvation));
    }

    [Fact]
    public async Task Dispatch_LowerClassWaitedPastStarvationLimit_ServedBeforeHigher()
    {
        var queue = Queue();
        var batch = Add(queue, "k", RequestPriority.Batch);
        await Task.Delay(30);
        var interactive = Add(queue, "k", RequestPriority.Interactive);

        Assert.Equal([batch, interactive], Drain(queue, [batch, interactive], TimeSpan.FromMilliseconds(20)));
    }

    [Fact]
    public async Task Dispatch_LowerClassStarvingBesideBusyHigherClass_GetsOneDispatchInFour()
    {
        var queue = Queue();
        var batch = Enumerable.Range(0, 4).Select(_ => Add(queue, "b", RequestPriority.Batch)).ToList();
        await Task.Delay(30);
        var interactive = Enumerable.Range(0, 8).Select(_ => Add(queue, "i", RequestPriority.Interactive)).ToList();

        var order = Drain(queue, [.. batch, .. interactive], TimeSpan.FromMilliseconds(20)).Take(10).Select(r => r.Priority).ToList();

        // The starving class goes at once, then once after every three of the busy class's.
        Assert.Equal([RequestPriority.Batch, RequestPriority.Interactive, RequestPriority.Interactive, RequestPriority.Interactive, RequestPriority.Batch,
            RequestPriority.Interactive, RequestPriority.Interactive, RequestPriority.Interactive, RequestPriority.Batch, RequestPriority.Interactive], order);
    }

    [Fact]
    public async Task Granted_ConcurrentPassesDispatchesAndSends_ReturnsToZero()
    {
        var queue = Queue();
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (queue.TryPass(room: 1_000_000, "k", 1))
                {
                    queue.Sent();
                }
                if (w == 0 && queue.Enqueue("k", 1, RequestPriority.Default, 1000, 1000, out _) is not null && queue.Dispatch(1_000_000, NoStarvation) == 1)
                {
                    queue.Sent();
                }
            }
        }));

        await Task.WhenAll(workers);

        Assert.Equal(0, queue.Granted);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Enqueue_KeyShareOrQueueFull_RefusedWithTheReason()
    {
        var queue = Queue();
        Assert.NotNull(queue.Enqueue("a", 1, RequestPriority.Default, maxQueued: 3, maxQueuedPerKey: 2, out _));
        Assert.NotNull(queue.Enqueue("a", 1, RequestPriority.Batch, maxQueued: 3, maxQueuedPerKey: 2, out _));

        Assert.Null(queue.Enqueue("a", 1, RequestPriority.Default, maxQueued: 3, maxQueuedPerKey: 2, out var keyFull));
        Assert.Equal(QueueOutcome.KeyFull, keyFull);
        Assert.NotNull(queue.Enqueue("b", 1, RequestPriority.Default, maxQueued: 3, maxQueuedPerKey: 2, out _));
        Assert.Null(queue.Enqueue("c", 1, RequestPriority.Default, maxQueued: 3, maxQueuedPerKey: 2, out var full));
        Assert.Equal(QueueOutcome.Full, full);
    }

    [Fact]
    public void TryRemove_Waiting_LeavesAtOnceAndFreesItsKeyShare()
    {
        var queue = Queue();
        var first = queue.Enqueue("a", 1, RequestPriority.Default, 10, 1, out _)!;
        var other = Add(queue, "b");

        Assert.True(queue.TryRemove(first));
        Assert.Equal(1, queue.Count);
        Assert.NotNull(queue.Enqueue("a", 1, RequestPriority.Default, 10, 1, out _));
        Assert.Equal(1, queue.Dispatch(1, NoStarvation));
        Assert.True(other.Turn.IsCompleted);
        Assert.False(queue.TryRemove(other));
    }

    [Fact]
    public void TryPass_SomeoneWaitsOrLetThroughFillsRoom_False()
    {
        var queue = Queue();
        Assert.True(queue.TryPass(room: 1, "k", 1));
        Assert.False(queue.TryPass(room: 1, "k", 1)); // the first is let through, not yet sent
        queue.Sent();
        Assert.True(queue.TryPass(room: 1, "k", 1));
        queue.Sent();
        Add(queue, "a");

        Assert.False(queue.TryPass(room: 5, "k", 1));
    }

    [Fact]
    public void Dispatch_NoRoom_LetsNothingThrough()
    {
        var queue = Queue();
        var waiting = Add(queue, "a");

        Assert.Equal(0, queue.Dispatch(0, NoStarvation));
        Assert.False(waiting.Turn.IsCompleted);
    }

    [Fact]
    public void Dispatch_InTheHeadroom_OnlyKeysLighterThanTheHeaviestGo()
    {
        var queue = Queue();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(queue.TryPass(room: 10, "heavy", 1));
            queue.Sent();
        }
        var heavy = Add(queue, "heavy");
        var light = Add(queue, "light");

        // Room for one more, and that one is the headroom: the heavy key's turn passes to the light key.
        Assert.Equal(1, queue.Dispatch(room: 1, NoStarvation, headroom: 1));
        Assert.True(light.Turn.IsCompleted);
        Assert.False(heavy.Turn.IsCompleted);
        queue.Sent();
        Assert.Equal(0, queue.Dispatch(room: 1, NoStarvation, headroom: 1)); // again only the headroom left
        Assert.Equal(1, queue.Dispatch(room: 2, NoStarvation, headroom: 1)); // room beyond it: the heavy key goes
        Assert.True(heavy.Turn.IsCompleted);
    }

    [Fact]
    public void TryPass_InTheHeadroom_HeaviestKeyQueuesALightOnePasses()
    {
        var queue = Queue();
        Assert.True(queue.TryPass(room: 10, "heavy", 1));
        queue.Sent();

        Assert.False(queue.TryPass(room: 1, "heavy", 1, headroom: 1));
        Assert.True(queue.TryPass(room: 1, "light", 1, headroom: 1));
        Assert.Equal(1, queue.InFlightOf("light"));
    }

    [Fact]
    public void Ended_LastRequestOfTheKey_ItIsLightAgain()
    {
        var queue = Queue();
        Assert.True(queue.TryPass(room: 10, "heavy", 1));
        queue.Sent();
        Assert.False(queue.TryPass(room: 1, "heavy", 1, headroom: 1));

        queue.Ended("heavy");
        queue.Ended("heavy"); // once too often: nothing below zero

        Assert.Equal(0, queue.InFlightOf("heavy"));
        Assert.True(queue.TryPass(room: 1, "heavy", 1, headroom: 1));
    }

    [Fact]
    public void Ended_HeaviestKeyFallsBelowAnother_TheOtherIsNowTheHeaviest()
    {
        var queue = Queue();
        foreach (var (key, count) in new[] { ("a", 3), ("b", 2) })
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(queue.TryPass(room: 10, key, 1));
                queue.Sent();
            }
        }
        Assert.False(queue.TryPass(room: 1, "a", 1, headroom: 1));

        queue.Ended("a"); // 2 and 2: a tie, nobody lighter than the heaviest
        Assert.False(queue.TryPass(room: 1, "a", 1, headroom: 1));
        Assert.False(queue.TryPass(room: 1, "b", 1, headroom: 1));

        queue.Ended("a"); // 1 and 2
        Assert.False(queue.TryPass(room: 1, "b", 1, headroom: 1));
        Assert.True(queue.TryPass(room: 1, "a", 1, headroom: 1));
    }

    [Theory]
    [InlineData(null, null, RequestPriority.Default)]
    [InlineData(RequestPriority.Interactive, null, RequestPriority.Default)]
    [InlineData(RequestPriority.Interactive, "interactive", RequestPriority.Interactive)]
    [InlineData(RequestPriority.Batch, "interactive", RequestPriority.Batch)]
    [InlineData(null, "batch", RequestPriority.Batch)]
    public void Capped_AskedAndKeyMaximum_NeverAboveTheCap(RequestPriority? asked, string? maximum, RequestPriority expected) =>
        Assert.Equal(expected, RequestPriorities.Capped(asked, maximum));
}
