using System.Net;
using LlmHost.Gateway.FlowControl;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>Flow control against simulated engines: a saturated cluster queues then dispatches; bounds answer 429.</summary>
[Trait("Category", "Integration")]
public class GatewayFlowControlTests
{
    private static string Config(Uri engine, string flowControl, string extraRouting = "") => $$"""
        routing:
          discovery_interval: 1h
          health_check_interval: 1h
          model_backend_mapping: { m: [sim] }
          flow_control: { enabled: true, {{flowControl}} }
        {{extraRouting}}
        backends:
          - { name: sim, engine: vllm, mode: external, model: m, url: "{{engine}}" }
        """;

    private static Task<HttpResponseMessage> Chat(HttpClient client, string? priority = null, int maxTokens = 1)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body($$"""{"model":"m","messages":[],"max_tokens":{{maxTokens}}}""") };
        if (priority is not null)
        {
            request.Headers.Add("x-llmhost-priority", priority);
        }
        return client.SendAsync(request);
    }

    // One request through the whole path first, so that the ones timed below do not wait for the JIT.
    private static async Task WarmUpAsync(GatewayHost gateway)
    {
        Assert.Equal(HttpStatusCode.OK, (await Chat(gateway.Client)).StatusCode);
        gateway.Observer.Measurements.Clear();
    }

    [Fact]
    public async Task SaturatedInstance_RequestsQueueThenDispatchAsItFrees_AllAnswered()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "500");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1"));
        await WarmUpAsync(gateway);

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Chat(gateway.Client)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Observer.Measurements.Count == 3, TimeSpan.FromSeconds(5)));
        var measured = gateway.Observer.Measurements.OrderBy(m => m.QueueTime).ToList();
        Assert.Equal([QueueOutcome.Passed, QueueOutcome.Dispatched, QueueOutcome.Dispatched], measured.Select(m => m.Queue!.Value));
        // One at a time: the last waited for at least one answer of 500 ms.
        Assert.InRange(measured[2].QueueTime, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        // The test observer may see the last measurement before the metrics observer records it: read until it has.
        var metrics = "";
        Assert.True(await Eventually.TrueWithinAsync(async () =>
        {
            metrics = await (await gateway.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
            return PrometheusText.Sample(metrics, "llmhost_gateway_queue_wait_seconds_count", "outcome=\"dispatched\"", "model=\"m\"") == 2;
        }, TimeSpan.FromSeconds(5)), metrics);
        Assert.Equal(2, PrometheusText.Sample(metrics, "llmhost_gateway_queue_wait_seconds_count", "outcome=\"passed\"")); // and the warm-up
        Assert.Contains("llmhost_gateway_queue_length{", metrics);
    }

    [Fact]
    public async Task KeyShareFull_Refused429WithRetryAfter_AnotherKeyStillQueued()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "1000");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1, max_queued_per_key: 1"));
        await WarmUpAsync(gateway);
        using var other = gateway.ClientWith(GatewayHost.UserSecret);

        var running = Chat(gateway.Client);
        await Task.Delay(200);
        var queued = Chat(gateway.Client);
        await Task.Delay(200);
        using var refused = await Chat(gateway.Client);
        var otherKey = Chat(other);
        await Task.Delay(200);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("\"code\":\"key_queue_full\"", await refused.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        // The other key has a share of its own: it waits beside the first key's request, not refused.
        Assert.False(otherKey.IsCompleted);
        Assert.Equal(2, gateway.Get<FlowController>().Lengths().Single().Value);
        Assert.All(await Task.WhenAll(running, queued, otherKey), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task PrefillCap_LongPromptsStartOneAfterAnother_TheNextAtTheFirstOnesFirstToken()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "600", "--itl-ms", "400");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_prefill_tokens_per_instance: 1000"));
        await WarmUpAsync(gateway);
        var prompt = string.Join(' ', Enumerable.Repeat("word", 1000)); // ~5,000 bytes: over the cap alone
        Task<HttpResponseMessage> Long() => gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body($$"""{"model":"m","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"{{prompt}}"}]}"""));

        var first = Long();
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Instance("sim").Prefill.TokensInFlight() > 1000, TimeSpan.FromSeconds(5)));
        var second = Long();
        await Task.WhenAll(first, second);

        // The two long prompts (streamed; the warm-up's line may land after it was cleared).
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Observer.Measurements.Count(m => m.Stream) == 2, TimeSpan.FromSeconds(5)));
        var measured = gateway.Observer.Measurements.Where(m => m.Stream).OrderBy(m => m.StartTimestamp).ToList();
        Assert.Equal([QueueOutcome.Passed, QueueOutcome.Dispatched], measured.Select(m => m.Queue!.Value));
        // Sent as the first one's prefill ended (at its first byte), not as it ended (four tokens, ~1.6 s, later).
        var (earlier, later) = (measured[0], measured[1]);
        var sentAt = later.StartTimestamp + (long)(later.QueueTime.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        var afterFirstByte = System.Diagnostics.Stopwatch.GetElapsedTime(earlier.FirstByteTimestamp!.Value, sentAt);
        Assert.InRange(afterFirstByte, TimeSpan.FromMilliseconds(-50), TimeSpan.FromMilliseconds(800));
        Assert.True(sentAt < earlier.LastByteTimestamp!.Value);
        Assert.True(gateway.Instance("sim").Prefill.TokensPerSecond > 0);
        Assert.Equal(0, gateway.Instance("sim").Prefill.TokensInFlight());
    }

    [Fact]
    public async Task QueuedRequest_HoldsExactlyItsBodyInTheBudget_AllGivenBackOnceSent()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "800");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1"));
        await WarmUpAsync(gateway);
        var budget = gateway.Get<LlmHost.Gateway.RateLimiting.RequestBodyBudget>();
        const string Body = """{"model":"m","messages":[{"role":"user","content":"held while queued"}],"max_tokens":1}""";

        var running = gateway.Client.PostAsync("/v1/chat/completions", Json.Body(Body));
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Instance("sim").Outstanding == 1, TimeSpan.FromSeconds(5)));
        var queued = gateway.Client.PostAsync("/v1/chat/completions", Json.Body(Body));

        // A body that came whole with its headers is copied as it is: the budget holds its bytes, not a 16 KiB buffer.
        Assert.True(await Eventually.TrueWithinAsync(() => budget.Total == Body.Length, TimeSpan.FromSeconds(5)));
        Assert.All(await Task.WhenAll(running, queued), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(await Eventually.TrueWithinAsync(() => budget.Total == 0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task EngineQueueFromItsMetrics_NewRequestsWaitAtTheGatewayAndGoAsItDrains()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "1500", "--max-num-seqs", "1");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "queue_depth_threshold: 1", "  load: { scrape_interval: 100ms }"));
        var instance = gateway.Instance("sim");

        var first = Chat(gateway.Client);
        var second = Chat(gateway.Client);
        Assert.True(await Eventually.TrueWithinAsync(() => instance.Load is { Waiting: >= 1 }, TimeSpan.FromSeconds(5)));
        var third = Chat(gateway.Client);

        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Get<FlowController>().Lengths().Single().Value == 1, TimeSpan.FromSeconds(1)));
        Assert.All(await Task.WhenAll(first, second, third), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Observer.Measurements.Any(m => m.Queue == QueueOutcome.Dispatched), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task PriorityHeader_Invalid_400BeforeAnythingIsReservedOrSent()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 4"));

        using var response = await Chat(gateway.Client, "urgent");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\":\"invalid_priority\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, sim.RequestsServed);
    }

    [Fact]
    public async Task Priorities_InteractiveQueuedAfterBatch_GoesFirst_CappedByTheKey()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "800");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1"));
        await WarmUpAsync(gateway);
        var (_, created) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"capped"}""");
        using var capped = gateway.ClientWith(created.GetProperty("secret").GetString());
        var (_, allowed) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"vip","limits":{"max_priority":"interactive"}}""");
        using var vip = gateway.ClientWith(allowed.GetProperty("secret").GetString());

        var running = Chat(gateway.Client);
        // The first holds the instance's one slot before the others arrive (a loaded machine can start it late).
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Instance("sim").Outstanding == 1, TimeSpan.FromSeconds(5)));
        var batch = Chat(gateway.Client, "batch", maxTokens: 2);
        await Task.Delay(100);
        var cappedInteractive = Chat(capped, "interactive", maxTokens: 3);
        await Task.Delay(100);
        var interactive = Chat(vip, "interactive", maxTokens: 4);
        Assert.All(await Task.WhenAll(running, batch, cappedInteractive, interactive), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Observer.Measurements.Count == 4, TimeSpan.FromSeconds(5)));
        var byWait = gateway.Observer.Measurements.Where(m => m.Queue == QueueOutcome.Dispatched).OrderBy(m => m.StartTimestamp + m.QueueTime.Ticks * System.Diagnostics.Stopwatch.Frequency / TimeSpan.TicksPerSecond).ToList();
        // Let through in class order: the vip key's interactive, the other key's (capped to default), then batch.
        Assert.Equal([RequestPriority.Interactive, RequestPriority.Default, RequestPriority.Batch], byWait.Select(m => m.Priority));
    }
}
