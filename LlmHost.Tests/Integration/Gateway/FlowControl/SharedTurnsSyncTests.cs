using LlmHost.Gateway.FlowControl;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmHost.Tests.Integration.Gateway.FlowControl;

/// <summary>The sync script against a real Redis: replicas' mirrors of one model's shared turns.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public sealed class SharedTurnsSyncTests : IAsyncLifetime
{
    private const string ModelClass = "m:default";
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(LlmHost.Gateway.RateLimiting.RedisLimitStore.Options(_redis.ConnectionString));
        // The first script call loads the script and the JIT: not what the tests below time out on.
        var warmUp = Replica();
        var turns = new SharedTurns();
        Assert.True(await Eventually.TrueWithinAsync(() => warmUp.SyncAsync(_connection.GetDatabase(), "warm-up", turns.Ask(["k"])!, turns),
            TimeSpan.FromSeconds(10)));
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    // A replica: a sync of its own (its own id in Redis).
    private SharedTurnsSync Replica() =>
        new(new LlmHost.Gateway.FlowControl.FlowController(new StaticOptionsMonitor(new LlmHost.Backends.Configuration.LlmHostConfig())),
            NullLogger<SharedTurnsSync>.Instance, _connection) { StalledAfter = TimeSpan.FromSeconds(1.5) };

    private async Task Sync(SharedTurnsSync replica, SharedTurns turns, params string[] waiting) =>
        Assert.True(await replica.SyncAsync(_connection.GetDatabase(), ModelClass, turns.Ask(waiting) ?? new SharedTurnsAsk([]), turns));

    private async Task<double?> CountOf(string key) =>
        (double?)await _connection.GetDatabase().HashGetAsync(SharedTurnsSync.RedisKeyOf(ModelClass, "counts"), key);

    private static void Take(SharedTurns turns, string key, int count)
    {
        for (var i = 0; i < count; i++)
        {
            turns.Took(key, 1);
        }
    }

    [Fact]
    public async Task SyncAsync_KeyServedOnOneReplica_HeldOnAnotherWhereALessServedKeyWaits()
    {
        var (first, second) = (Replica(), Replica());
        var (firstTurns, secondTurns) = (new SharedTurns(), new SharedTurns());
        await Sync(second, secondTurns, "flood", "quiet");
        await Sync(first, firstTurns, "flood");
        Take(firstTurns, "flood", 5);

        await Sync(first, firstTurns, "flood");
        await Sync(second, secondTurns, "flood", "quiet");
        await Sync(first, firstTurns, "flood");

        Assert.Equal(5, await CountOf("flood"));
        Assert.True(secondTurns.IsAhead("flood"));
        Assert.False(secondTurns.IsAhead("quiet"));
        Assert.True(firstTurns.IsAhead("flood")); // its room goes to the replica where "quiet" waits
    }

    [Fact]
    public async Task SyncAsync_SameTotalSentTwice_CountsOnce()
    {
        var replica = Replica();
        var turns = new SharedTurns();
        await Sync(replica, turns, "flood");
        Take(turns, "flood", 3);
        var ask = turns.Ask(["flood"])!;

        // A sync that timed out after Redis ran it is sent again with the same total.
        Assert.True(await replica.SyncAsync(_connection.GetDatabase(), ModelClass, ask, turns));
        Assert.True(await replica.SyncAsync(_connection.GetDatabase(), ModelClass, ask, turns));

        Assert.Equal(3, await CountOf("flood"));
    }

    [Fact]
    public async Task SyncAsync_KeyStartsWaiting_BroughtWithinTheLeadAboveTheLeastWaitingCount()
    {
        var (first, second) = (Replica(), Replica());
        var (firstTurns, secondTurns) = (new SharedTurns(), new SharedTurns());
        await Sync(first, firstTurns, "flood");
        Take(firstTurns, "flood", 10);
        await Sync(first, firstTurns, "flood");

        // A newcomer starts level with the least waiting count: idle time banked it no credit.
        await Sync(second, secondTurns, "quiet");
        Assert.Equal(10, await CountOf("quiet"));
        Assert.False(secondTurns.IsAhead("quiet"));

        // The flood runs ahead, then stops waiting; when it comes back, its lead is cut to the lead allowed.
        Take(firstTurns, "flood", 5);
        await Sync(first, firstTurns);
        Take(secondTurns, "quiet", 1);
        await Task.Delay(first.WaitingFor + TimeSpan.FromMilliseconds(100));
        await Sync(second, secondTurns, "quiet");
        Assert.Equal(15, await CountOf("flood"));
        await Sync(first, firstTurns, "flood");

        Assert.Equal(11 + SharedTurns.Lead, await CountOf("flood"));
    }

    [Fact]
    public async Task SyncAsync_OtherKeyStoppedWaiting_NoLongerHoldsAnyoneOnceItsMarkExpires()
    {
        var (first, second) = (Replica(), Replica());
        var (firstTurns, secondTurns) = (new SharedTurns(), new SharedTurns());
        await Sync(second, secondTurns, "quiet");
        await Sync(first, firstTurns, "flood");
        Take(firstTurns, "flood", 5);
        await Sync(second, secondTurns, "quiet");
        await Sync(first, firstTurns, "flood");
        Assert.True(firstTurns.IsAhead("flood"));

        await Task.Delay(first.WaitingFor + TimeSpan.FromMilliseconds(100));
        await Sync(first, firstTurns, "flood");

        Assert.False(firstTurns.IsAhead("flood"));
    }

    [Fact]
    public async Task SyncAsync_LeastKeyNeverServed_StopsHoldingOthersOnceStalled()
    {
        var (first, second) = (Replica(), Replica());
        var (firstTurns, secondTurns) = (new SharedTurns(), new SharedTurns());
        await Sync(second, secondTurns, "stuck"); // waits on a replica that cannot serve it
        await Sync(first, firstTurns, "flood");
        Take(firstTurns, "flood", 5);
        await Sync(second, secondTurns, "stuck"); // (its mark lasts a few syncs only)
        await Sync(first, firstTurns, "flood");
        Assert.True(firstTurns.IsAhead("flood"));

        var stalled = DateTime.UtcNow + second.StalledAfter + TimeSpan.FromMilliseconds(100);
        while (DateTime.UtcNow < stalled)
        {
            await Sync(second, secondTurns, "stuck"); // still waiting, never served
            await Task.Delay(100);
        }
        await Sync(first, firstTurns, "flood");

        Assert.False(firstTurns.IsAhead("flood"));
    }

    [Fact]
    public async Task SyncRoundAsync_OnlyALowerClassQueuedHere_ReadsTheHigherClassesAndHoldsForOneWaitingElsewhere()
    {
        var config = new LlmHost.Backends.Configuration.LlmHostConfig();
        config.Routing.FlowControl = new LlmHost.Backends.Configuration.FlowControlSettings { Enabled = true, MaxInFlightPerInstance = 1 };
        var instance = LlmHost.Tests.Unit.Gateway.Routing.BackendSelectorTests.Instance("a");
        var route = new LlmHost.Gateway.Routing.RouteEntry("m", [instance], [null], LlmHost.Gateway.Routing.RouteSource.Mapping);
        var flow = new LlmHost.Gateway.FlowControl.FlowController(new StaticOptionsMonitor(config), null, _connection);
        var here = new SharedTurnsSync(flow, NullLogger<SharedTurnsSync>.Instance, _connection);
        instance.Enter(); // the instance is full: what arrives queues
        var batch = flow.WaitTurnAsync(route, "batch-key", 1, RequestPriority.Batch, CancellationToken.None).AsTask();
        // Another replica has an interactive request waiting for the same model.
        var elsewhere = new SharedTurns();
        Assert.True(await Replica().SyncAsync(_connection.GetDatabase(), "m:interactive", elsewhere.Ask(["vip"])!, elsewhere));

        await here.SyncRoundAsync(_connection.GetDatabase());
        instance.Leave(); // room again
        flow.Pump();

        var queue = flow.Queues.Single().Value;
        Assert.True(queue.Classes()[(int)RequestPriority.Interactive].Shared!.SomeoneWaits);
        Assert.False(batch.IsCompleted); // held: the room is for the replica where the interactive request waits
    }

    [Fact]
    public async Task SyncAsync_RedisGone_FalseThenSharesAgainWhenItIsBack()
    {
        var replica = Replica();
        var turns = new SharedTurns();
        turns.Took("flood", 1);
        await _redis.KillAsync();

        Assert.False(await replica.SyncAsync(_connection.GetDatabase(), ModelClass, turns.Ask(["flood"])!, turns));

        await _redis.RestartAsync();
        Assert.True(await Eventually.TrueWithinAsync(() => _connection.IsConnected, TimeSpan.FromSeconds(10)));
        Assert.True(await Eventually.TrueWithinAsync(() => replica.SyncAsync(_connection.GetDatabase(), ModelClass, turns.Ask(["flood"])!, turns),
            TimeSpan.FromSeconds(5)));
        Assert.True(turns.SomeoneWaits);
    }
}
