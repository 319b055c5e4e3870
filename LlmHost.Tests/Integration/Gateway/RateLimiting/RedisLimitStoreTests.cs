using System.Net;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Simulator.Engine;
using StackExchange.Redis;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>Two gateway replicas sharing their limits through Redis, and what happens when Redis goes away.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public class RedisLimitStoreTests
{
    /// <summary>redis-server, one simulator, and two gateway replicas sharing <c>limits.defaults</c> through Redis.</summary>
    private sealed class TwoReplicas : IAsyncDisposable
    {
        public required RedisServer Redis { get; init; }
        public required SimulatorHost Sim { get; init; }
        public required GatewayHost A { get; init; }
        public required GatewayHost B { get; init; }
        public HttpClient UserA => field ??= A.ClientWith(GatewayHost.UserSecret);
        public HttpClient UserB => field ??= B.ClientWith(GatewayHost.UserSecret);

        public static async Task<TwoReplicas> StartAsync(string defaults, params string[] simulatorArgs)
        {
            var redis = await RedisServer.StartAsync();
            var sim = await SimulatorHost.StartAsync(["--engine", "vllm", "--model", "m", .. simulatorArgs]);
            var config = LimitsConfig.For(sim,
                $$"""{ store: redis, redis: { connection_string: "{{redis.ConnectionString}}" }, defaults: {{defaults}}, global: { concurrency: 0 } }""");
            return new TwoReplicas { Redis = redis, Sim = sim, A = await GatewayHost.StartAsync(config), B = await GatewayHost.StartAsync(config) };
        }

        public async ValueTask DisposeAsync()
        {
            UserA.Dispose();
            UserB.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
            await Sim.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoReplicas_OneQpsLimit_CombinedRateHolds()
    {
        await using var replicas = await TwoReplicas.StartAsync("{ qps: 20, burst: 10, concurrency: 0, tpm: 0 }");
        var (a, b, userA, userB) = (replicas.A, replicas.B, replicas.UserA, replicas.UserB);

        var runs = await Task.WhenAll(
            LoadRunner.RunAsync(userA, clients: 16, TimeSpan.FromSeconds(10), () => LimitsConfig.Chat(1)),
            LoadRunner.RunAsync(userB, clients: 16, TimeSpan.FromSeconds(10), () => LimitsConfig.Chat(1)));

        var admitted = runs[0].Admitted + runs[1].Admitted;
        Assert.InRange(admitted, 210 * 0.95, 210 * 1.05);
        Assert.True(runs[0].Admitted > 30 && runs[1].Admitted > 30, $"{runs[0].Admitted} + {runs[1].Admitted}: one replica starved");
        Assert.True(a.Get<RedisLimitStore>().IsShared && b.Get<RedisLimitStore>().IsShared);
    }

    [Fact]
    public async Task TwoReplicas_OneConcurrencyLimit_BackendSeesAtMostTheLimit()
    {
        await using var replicas = await TwoReplicas.StartAsync("{ qps: 0, burst: 0, concurrency: 4, tpm: 0 }", "--itl-ms", "10");
        var (redis, sim, userA, userB) = (replicas.Redis, replicas.Sim, replicas.UserA, replicas.UserB);

        await Task.WhenAll(
            LoadRunner.RunAsync(userA, clients: 8, TimeSpan.FromSeconds(3), () => LimitsConfig.Chat(20, stream: true)),
            LoadRunner.RunAsync(userB, clients: 8, TimeSpan.FromSeconds(3), () => LimitsConfig.Chat(20, stream: true)));

        Assert.Equal(4, sim.Get<Scheduler>().PeakInFlight);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && await connection.GetDatabase().SortedSetLengthAsync("llmhost:{testuser}:leases") > 0)
        {
            await Task.Delay(50);
        }
        Assert.Equal(0, await connection.GetDatabase().SortedSetLengthAsync("llmhost:{testuser}:leases"));
    }

    [Fact]
    public async Task Lease_ReplicaDiesWithoutReleasing_ExpiresAfterTheTtl()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisLimitStore.Options(redis.ConnectionString));
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        // A replica that takes the only slot and then dies: it never releases, and nobody renews its lease.
        var dead = new RedisLimitStore(connection, new MemoryLimitStore(), TimeSpan.FromSeconds(1), logger);
        var alive = new RedisLimitStore(connection, new MemoryLimitStore(), TimeSpan.FromSeconds(1), logger);
        var policy = new LimitPolicy(0, 0, Concurrency: 1, Tpm: 0);

        Assert.True((await dead.EnterAsync(new LimitRequest("k", policy, 0))).IsAdmitted);
        var refused = await alive.EnterAsync(new LimitRequest("k", policy, 0));
        Assert.Equal(LimitKind.Concurrency, refused.Rejection.Kind);
        await Task.Delay(1300);

        var admitted = await alive.EnterAsync(new LimitRequest("k", policy, 0));
        Assert.True(admitted.IsAdmitted, "the dead replica's lease did not expire");
        Assert.True(alive.IsShared);
    }

    [Fact]
    public async Task Lease_Renewed_OutlivesItsTtl()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisLimitStore.Options(redis.ConnectionString));
        var store = new RedisLimitStore(connection, new MemoryLimitStore(), TimeSpan.FromSeconds(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var policy = new LimitPolicy(0, 0, Concurrency: 1, Tpm: 1000);

        var held = await (await store.EnterAsync(new LimitRequest("k", policy, 0))).Ticket!.ReserveTokensAsync(100);
        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(300);
            await store.RenewAsync();
        }
        Assert.Equal(LimitKind.Concurrency, (await store.EnterAsync(new LimitRequest("k", policy, 0))).Rejection.Kind);

        held.Ticket!.Complete(40);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        Admission entry;
        while (!(entry = await store.EnterAsync(new LimitRequest("k", policy, 0))).IsAdmitted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(entry.IsAdmitted);
        var next = await entry.Ticket!.ReserveTokensAsync(100);
        Assert.True(next.IsAdmitted);
        // 100 reserved and settled at 40, then 100 reserved again: 1000 - 40 - 100 = 860, plus what refilled
        // (1000 a minute, about 17 a second) over the two seconds or so since the first reservation.
        Assert.InRange(next.State.TokensRemaining, 860, 910);
    }

    [Fact]
    public async Task RedisKilledMidRun_ReplicasKeepServing_AndShareAgainWhenItReturns()
    {
        await using var replicas = await TwoReplicas.StartAsync("{ qps: 50, burst: 50, concurrency: 16, tpm: 0 }");
        var (redis, sim, a, b) = (replicas.Redis, replicas.Sim, replicas.A, replicas.B);
        var (userA, userB) = (replicas.UserA, replicas.UserB);

        var load = Task.WhenAll(
            LoadRunner.RunAsync(userA, clients: 4, TimeSpan.FromSeconds(4), () => LimitsConfig.Chat(1)),
            LoadRunner.RunAsync(userB, clients: 4, TimeSpan.FromSeconds(4), () => LimitsConfig.Chat(1)));
        await Task.Delay(1000);
        await redis.KillAsync();
        var servedBefore = sim.RequestsServed;
        await Task.Delay(2000);
        Assert.True(sim.RequestsServed - servedBefore > 20, "the replicas stopped serving when Redis went away");
        var runs = await load; // LoadRunner fails on anything but 200 and 429
        Assert.True(runs[0].Admitted > 0 && runs[1].Admitted > 0);
        Assert.False(a.Get<RedisLimitStore>().IsShared);
        Assert.False(b.Get<RedisLimitStore>().IsShared);

        await redis.RestartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !(a.Get<RedisLimitStore>().IsShared && b.Get<RedisLimitStore>().IsShared))
        {
            Assert.NotEqual(HttpStatusCode.InternalServerError, (await userA.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
            Assert.NotEqual(HttpStatusCode.InternalServerError, (await userB.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
            await Task.Delay(100);
        }
        Assert.True(a.Get<RedisLimitStore>().IsShared && b.Get<RedisLimitStore>().IsShared, "the replicas did not go back to Redis");
    }

    [Fact]
    public async Task Reserve_RedisGoneAfterEntry_LimitsTheTokensInThisReplica()
    {
        await using var redis = await RedisServer.StartAsync();
        using var connection = await ConnectionMultiplexer.ConnectAsync(RedisLimitStore.Options(redis.ConnectionString));
        var fallback = new MemoryLimitStore();
        var store = new RedisLimitStore(connection, fallback, TimeSpan.FromSeconds(30), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var policy = new LimitPolicy(0, 0, Concurrency: 0, Tpm: 1000);
        var first = (await store.EnterAsync(new LimitRequest("k", policy, 0))).Ticket!;
        var second = (await store.EnterAsync(new LimitRequest("k", policy, 0))).Ticket!;
        await redis.KillAsync();

        var admitted = await first.ReserveTokensAsync(800);
        var refused = await second.ReserveTokensAsync(800);

        Assert.True(admitted.IsAdmitted);
        Assert.Equal(LimitKind.Tokens, refused.Rejection.Kind);
        Assert.Equal(1, fallback.Find("k")!.Tokens!.OpenReservations);
        first.Complete(100);
        second.Complete(0);
        Assert.Equal(0, fallback.Find("k")!.Tokens!.OpenReservations);
        // 800 reserved, 100 used: the local bucket holds about 900 again.
        Assert.InRange(fallback.Find("k")!.State(System.Diagnostics.Stopwatch.GetTimestamp()).TokensRemaining, 890, 1000);
    }
}
