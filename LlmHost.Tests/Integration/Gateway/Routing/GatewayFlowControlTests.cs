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

    private static Task<HttpResponseMessage> Chat(HttpClient client, string? priority = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"m","messages":[],"max_tokens":1}""") };
        if (priority is not null)
        {
            request.Headers.Add("x-llmhost-priority", priority);
        }
        return client.SendAsync(request);
    }

    [Fact]
    public async Task SaturatedInstance_RequestsQueueThenDispatchAsItFrees_AllAnswered()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "300");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1"));

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Chat(gateway.Client)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var measured = gateway.Observer.Measurements.OrderBy(m => m.QueueTime).ToList();
        Assert.Equal([QueueOutcome.Passed, QueueOutcome.Dispatched, QueueOutcome.Dispatched], measured.Select(m => m.Queue!.Value));
        // One at a time: the last waited for two answers of 300 ms.
        Assert.InRange(measured[2].QueueTime, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        var metrics = await (await gateway.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Equal(2, PrometheusText.Sample(metrics, "llmhost_gateway_queue_wait_seconds_count", "outcome=\"dispatched\"", "model=\"m\""));
        Assert.Equal(1, PrometheusText.Sample(metrics, "llmhost_gateway_queue_wait_seconds_count", "outcome=\"passed\""));
        Assert.Contains("llmhost_gateway_queue_length{", metrics);
    }

    [Fact]
    public async Task KeyShareFull_Refused429WithRetryAfter_OthersStillServed()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "400");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 1, max_queued_per_key: 1"));

        var running = Chat(gateway.Client);
        await Task.Delay(100);
        var queued = Chat(gateway.Client);
        await Task.Delay(100);
        using var refused = await Chat(gateway.Client);
        var body = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("\"code\":\"key_queue_full\"", body);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        // Another key's share is its own.
        using var other = gateway.ClientWith(GatewayHost.UserSecret);
        Assert.Equal(HttpStatusCode.OK, (await Chat(other)).StatusCode);
    }

    [Fact]
    public async Task EngineQueueFromItsMetrics_NewRequestsWaitAtTheGatewayAndGoAsItDrains()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "400", "--max-num-seqs", "1");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "queue_depth_threshold: 1", "  load: { scrape_interval: 100ms }"));
        var instance = gateway.Instance("sim");

        var first = Chat(gateway.Client);
        var second = Chat(gateway.Client);
        Assert.True(await Eventually.TrueWithinAsync(() => instance.Load is { Waiting: >= 1 }, TimeSpan.FromSeconds(5)));
        var third = Chat(gateway.Client);
        await Task.Delay(150);

        Assert.Equal(1, gateway.Get<FlowController>().Lengths().Single().Value);
        Assert.All(await Task.WhenAll(first, second, third), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains(gateway.Observer.Measurements, m => m.Queue == QueueOutcome.Dispatched);
    }

    [Fact]
    public async Task PriorityHeader_Invalid_400InOpenAIShape()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim.Address, "max_in_flight_per_instance: 4"));

        using var response = await Chat(gateway.Client, "urgent");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"code\":\"invalid_priority\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, sim.RequestsServed);
    }
}
