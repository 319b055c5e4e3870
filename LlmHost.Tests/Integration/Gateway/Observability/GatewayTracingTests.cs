using System.Collections.Concurrent;
using System.Diagnostics;

namespace LlmHost.Tests.Integration.Gateway.Observability;

/// <summary>One trace per request across gateway and backend, with the model, backend and tokens on the gateway's span.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayTracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public GatewayTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Request_GatewayAndBackendSpans_ShareOneTraceWithModelBackendAndTokens()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced-model");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: traced-model, url: "{{sim.Address}}" }
            """);
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        using var response = await user.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"traced-model","messages":[{"role":"user","content":"a b"}],"max_tokens":3,"ignore_eos":true}"""));
        response.EnsureSuccessStatusCode();
        await Task.Delay(200); // server spans stop after the response is complete

        var gatewaySpan = Assert.Single(_stopped, a => a.GetTagItem("gen_ai.request.model") as string == "traced-model");
        Assert.Equal("sim", gatewaySpan.GetTagItem("llmhost.backend"));
        Assert.Equal("testuser", gatewaySpan.GetTagItem("llmhost.key_id"));
        Assert.Equal(9, gatewaySpan.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3, gatewaySpan.GetTagItem("gen_ai.usage.output_tokens"));
        var backendSpan = Assert.Single(_stopped, a => a != gatewaySpan && a.TraceId == gatewaySpan.TraceId);
        Assert.NotEqual(default, backendSpan.ParentSpanId); // continued from the traceparent the gateway sent
    }
}
