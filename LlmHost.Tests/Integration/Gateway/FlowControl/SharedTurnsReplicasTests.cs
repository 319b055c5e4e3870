using System.Collections.Concurrent;
using System.Net;

namespace LlmHost.Tests.Integration.Gateway.FlowControl;

/// <summary>Two gateway replicas sharing their flow-control turns through Redis, in front of one saturated engine.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public sealed class SharedTurnsReplicasTests
{
    [Fact]
    public async Task FloodThroughBothReplicas_QuietKeyOnOne_GetsHalfTheEngineNotAQuarter()
    {
        await using var redis = await RedisServer.StartAsync();
        // One request at a time, 200 ms each: the engine is the bottleneck, and its queue is read from /metrics.
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "200", "--max-num-seqs", "1");
        var config = $$"""
            routing:
              discovery_interval: 1h
              health_check_interval: 1h
              model_backend_mapping: { m: [sim] }
              load: { scrape_interval: 100ms }
              flow_control: { enabled: true, queue_depth_threshold: 1 }
            limits: { store: redis, redis: { connection_string: "{{redis.ConnectionString}}" }, defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 0 } }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
            """;
        await using var first = await GatewayHost.StartAsync(config);
        await using var second = await GatewayHost.StartAsync(config);
        using var floodFirst = first.ClientWith(GatewayHost.AdminSecret);
        using var floodSecond = second.ClientWith(GatewayHost.AdminSecret);
        using var quiet = first.ClientWith(GatewayHost.UserSecret);
        foreach (var client in new[] { floodFirst, floodSecond, quiet })
        {
            using var warmUp = await Chat(client);
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var finished = new ConcurrentQueue<string>();
        async Task Send(HttpClient client, string who)
        {
            using var response = await Chat(client);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            finished.Enqueue(who);
        }
        // The flood fills the engine first, until both replicas read its queue and queue what comes next.
        var filling = Enumerable.Range(0, 2).SelectMany(_ => new[] { Send(floodFirst, "filling"), Send(floodSecond, "filling") }).ToList();
        Assert.True(await Eventually.TrueWithinAsync(() => first.Instance("sim").Load is { Waiting: >= 1 } && second.Instance("sim").Load is { Waiting: >= 1 },
            TimeSpan.FromSeconds(5)));

        const int Quiet = 8, FloodEach = 10;
        await Task.WhenAll([
            .. filling,
            .. Enumerable.Range(0, FloodEach).Select(_ => Send(floodFirst, "flood")),
            .. Enumerable.Range(0, FloodEach).Select(_ => Send(floodSecond, "flood")),
            .. Enumerable.Range(0, Quiet).Select(_ => Send(quiet, "quiet")),
        ]);

        // Turn by turn, the quiet key finishes beside about as many flood requests (8–10 measured). Each replica on its
        // own would give the engine's room to its own queue: the quiet key would get a quarter of it, and all 20 flood
        // requests would finish before its last (19–20 measured with the turns not shared).
        var order = finished.ToList();
        var floodBeforeQuietDone = order.Take(order.LastIndexOf("quiet")).Count(w => w == "flood");
        Assert.InRange(floodBeforeQuietDone, 0, Quiet + 6);
    }

    private static Task<HttpResponseMessage> Chat(HttpClient client) =>
        client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1}"""));
}
