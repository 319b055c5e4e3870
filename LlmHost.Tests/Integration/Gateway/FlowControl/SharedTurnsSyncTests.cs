using LlmHost.Gateway.FlowControl;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmHost.Tests.Integration.Gateway.FlowControl;

/// <summary>The sync script against a real Redis: two replicas' mirrors of one model's shared turns.</summary>
[Trait("Category", "Integration")]
public sealed class SharedTurnsSyncTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private SharedTurnsSync _sync = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(LlmHost.Gateway.RateLimiting.RedisLimitStore.Options(_redis.ConnectionString));
        _sync = new SharedTurnsSync(new LlmHost.Gateway.FlowControl.FlowController(new StaticOptionsMonitor(new LlmHost.Backends.Configuration.LlmHostConfig())),
            NullLogger<SharedTurnsSync>.Instance, _connection);
        // The first script call loads the script and the JIT: not what the tests below time out on.
        Assert.True(await Eventually.TrueWithinAsync(() => _sync.SyncAsync(_connection.GetDatabase(), "warm-up", ["k"], new SharedTurns()),
            TimeSpan.FromSeconds(10)));
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task<bool> Sync(SharedTurns replica, params string[] waiting) => _sync.SyncAsync(_connection.GetDatabase(), "m:default", waiting, replica);

    [Fact]
    public async Task SyncAsync_KeyServedOnOneReplica_HeldOnAnotherWhereALessServedKeyWaits()
    {
        var first = new SharedTurns();
        var second = new SharedTurns();
        Assert.True(await Sync(second, "flood", "quiet"));
        for (var i = 0; i < 5; i++)
        {
            first.Took("flood", 1);
        }

        Assert.True(await Sync(first, "flood"));
        Assert.True(await Sync(second, "flood", "quiet"));

        Assert.True(second.IsAhead("flood"));
        Assert.False(second.IsAhead("quiet"));
        Assert.True(first.IsAhead("flood")); // its room goes to the replica where "quiet" waits
    }

    [Fact]
    public async Task SyncAsync_KeyStartsWaiting_RaisedToTheLeastWaitingCount()
    {
        var first = new SharedTurns();
        for (var i = 0; i < 8; i++)
        {
            first.Took("flood", 1);
        }
        Assert.True(await Sync(first, "flood"));

        var second = new SharedTurns();
        Assert.True(await Sync(second, "newcomer"));

        // Idle time banked nothing: the newcomer starts level with the flood, so the flood is not held behind it.
        Assert.False(second.IsAhead("newcomer"));
        Assert.True(await Sync(first, "flood"));
        Assert.False(first.IsAhead("flood"));
        Assert.Equal(8.0, (double)await _connection.GetDatabase().HashGetAsync(SharedTurnsSync.RedisKeyOf("m:default", "turns"), "newcomer"));
    }

    [Fact]
    public async Task SyncAsync_OtherKeyStoppedWaiting_NoLongerHoldsAnyoneAfterItsWaitExpires()
    {
        var first = new SharedTurns();
        var second = new SharedTurns();
        Assert.True(await Sync(second, "quiet"));
        for (var i = 0; i < 5; i++)
        {
            first.Took("flood", 1);
        }
        Assert.True(await Sync(first, "flood"));
        Assert.True(first.IsAhead("flood"));

        await Task.Delay(SharedTurnsSync.WaitingFor + TimeSpan.FromMilliseconds(200));
        Assert.True(await Sync(first, "flood"));

        Assert.False(first.IsAhead("flood"));
    }

    [Fact]
    public async Task SyncAsync_RedisGone_FalseAndTheTurnsAreSentWithTheNextSync()
    {
        var replica = new SharedTurns();
        replica.Took("flood", 1);
        await _redis.KillAsync();

        Assert.False(await Sync(replica, "flood"));

        await _redis.RestartAsync();
        Assert.True(await Eventually.TrueWithinAsync(() => _connection.IsConnected, TimeSpan.FromSeconds(10)));
        Assert.True(await Sync(replica, "flood"));
        Assert.Equal(1.0, (double)await _connection.GetDatabase().HashGetAsync(SharedTurnsSync.RedisKeyOf("m:default", "turns"), "flood"));
    }
}
