using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Observability;

/// <summary>After a scripted set of requests, the gateway's /metrics holds exactly the counts and token sums.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public class GatewayMetricsTests
{
    private static double Sample(string metrics, string name, params string[] labels) => PrometheusText.Sample(metrics, name, labels);

    [Fact]
    public async Task Metrics_AfterScriptedRequests_AreExact()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "metrics-exact");
        await using var gateway = await GatewayHost.StartAsync($$"""
            gateway: { forward_headers: [X-Return-Error] }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: metrics-exact, url: "{{sim.Address}}" }
            """);
        // Keys and models of its own: every gateway of the test run shares the process, and so the meter's name.
        var (_, created) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"metrics-narrow","models":["other"]}""");
        var (_, own) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"metrics-user"}""");
        using var user = gateway.ClientWith(own.GetProperty("secret").GetString());
        using var narrow = gateway.ClientWith(created.GetProperty("secret").GetString());

        await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"metrics-exact","messages":[{"role":"user","content":"a b"}],"max_tokens":3,"ignore_eos":true}"""));
        await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"metrics-exact","messages":[{"role":"user","content":"a b"}],"max_tokens":4,"ignore_eos":true}"""));
        await (await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"metrics-exact","messages":[{"role":"user","content":"a b"}],"max_tokens":5,"ignore_eos":true,"stream":true}"""))).Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.PostAsync("/v1/chat/completions", Json.Body("""{"model":"metrics-exact","messages":[]}"""))).StatusCode);
        using var failing = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"metrics-exact","messages":[]}""") };
        failing.Headers.Add("X-Return-Error", "500");
        Assert.Equal(HttpStatusCode.InternalServerError, (await user.SendAsync(failing)).StatusCode);

        var metrics = await (await user.GetAsync("/metrics")).Content.ReadAsStringAsync();

        const string Key = "key_id=\"metrics-user\"";
        Assert.Equal(3, Sample(metrics, "llmhost_gateway_requests_total", Key, "model=\"metrics-exact\"", "backend=\"sim\"", "status_code=\"200\""));
        Assert.Equal(1, Sample(metrics, "llmhost_gateway_requests_total", Key, "status_code=\"500\""));
        // Three answered requests of 9 prompt tokens each; 3 + 4 + 5 completion tokens.
        Assert.Equal(27, Sample(metrics, "llmhost_gateway_tokens_total", Key, "gen_ai_token_type=\"input\""));
        Assert.Equal(12, Sample(metrics, "llmhost_gateway_tokens_total", Key, "gen_ai_token_type=\"output\""));
        Assert.Equal(1, Sample(metrics, "llmhost_gateway_rejections_total", "key_id=\"metrics-narrow\"", "reason=\"model_not_allowed\""));
        Assert.Equal(4, PrometheusText.Sum(metrics, "gen_ai_server_request_duration_seconds_count", "gen_ai_request_model=\"metrics-exact\"", "gen_ai_operation_name=\"chat\"", "gen_ai_provider_name=\"vllm\""));
        Assert.Equal(1, Sample(metrics, "gen_ai_server_request_duration_seconds_count", "gen_ai_request_model=\"metrics-exact\"", "error_type=\"500\""));
        Assert.Equal(1, Sample(metrics, "gen_ai_server_time_to_first_token_seconds_count", "gen_ai_request_model=\"metrics-exact\"")); // the one stream
        Assert.Equal((27, 3), (Sample(metrics, "gen_ai_client_token_usage_sum", "gen_ai_request_model=\"metrics-exact\"", "gen_ai_token_type=\"input\""),
            Sample(metrics, "gen_ai_client_token_usage_count", "gen_ai_request_model=\"metrics-exact\"", "gen_ai_token_type=\"input\"")));
        Assert.Equal(12, Sample(metrics, "gen_ai_client_token_usage_sum", "gen_ai_request_model=\"metrics-exact\"", "gen_ai_token_type=\"output\""));
        Assert.Equal(4, Sample(metrics, "llmhost_gateway_overhead_seconds_count", "model=\"metrics-exact\"", "backend=\"sim\""));
        Assert.InRange(Sample(metrics, "llmhost_gateway_overhead_seconds_sum", "model=\"metrics-exact\""), 0, PrometheusText.Sum(metrics, "gen_ai_server_request_duration_seconds_sum", "gen_ai_request_model=\"metrics-exact\""));
        Assert.Equal(1, Sample(metrics, "llmhost_gateway_backend_available", "backend=\"sim\""));
        Assert.Equal(0, Sample(metrics, "llmhost_gateway_backend_in_flight", "backend=\"sim\""));
        Assert.Contains("llmhost_gateway_models", metrics);
        Assert.Contains("llmhost_gateway_backend_in_flight{", metrics);
        Assert.DoesNotContain(GatewayHost.UserSecret, metrics);
    }

    [Fact]
    public async Task Limits_RejectionsByKindAndEstimateRatio_AreRecorded()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "metrics-limits");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            limits: { defaults: { qps: 0.001, burst: 2, concurrency: 0, tpm: 1000 } }
            backends:
              - { name: sim, engine: vllm, mode: external, model: metrics-limits, url: "{{sim.Address}}" }
            """);
        var (_, own) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"metrics-limited"}""");
        using var user = gateway.ClientWith(own.GetProperty("secret").GetString());
        const string Chat = """{"model":"metrics-limits","messages":[{"role":"user","content":"a b"}],"max_tokens":3,"ignore_eos":true}""";

        Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", Json.Body(Chat))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.PostAsync("/v1/chat/completions", Json.Body(Chat.Replace("\"max_tokens\":3", "\"max_tokens\":3000", StringComparison.Ordinal)))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.PostAsync("/v1/chat/completions", Json.Body(Chat))).StatusCode);
        var metrics = await (await user.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Equal(1, Sample(metrics, "llmhost_gateway_rejections_total", "key_id=\"metrics-limited\"", "reason=\"requests\""));
        Assert.Equal(1, Sample(metrics, "llmhost_gateway_rejections_total", "key_id=\"metrics-limited\"", "reason=\"tokens_too_large\""));
        // Estimated 11 (5 per request, 5 per message, 1 for "a b"); the simulator reported 9.
        Assert.Equal(1, Sample(metrics, "llmhost_gateway_prompt_estimate_ratio_count", "model=\"metrics-limits\""));
        Assert.Equal(11 / 9.0, Sample(metrics, "llmhost_gateway_prompt_estimate_ratio_sum", "model=\"metrics-limits\""), 6);
    }

    [Fact]
    public async Task InterTokenLatency_IsTheMeanGapOfAStream()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "metrics-itl", "--itl-ms", "40");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: metrics-itl, url: "{{sim.Address}}" }
            """);

        await (await gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"metrics-itl","messages":[],"max_tokens":6,"ignore_eos":true,"stream":true}"""))).Content.ReadAsStringAsync();
        var metrics = await (await gateway.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();

        var itl = gateway.Observer.Last.InterTokenLatency!.Value.TotalMilliseconds;
        Assert.InRange(itl, 30, 500);
        Assert.Equal(1, Sample(metrics, "gen_ai_server_time_per_output_token_seconds_count", "gen_ai_request_model=\"metrics-itl\""));
        Assert.InRange(Sample(metrics, "gen_ai_server_time_per_output_token_seconds_sum", "gen_ai_request_model=\"metrics-itl\""), 0.03, 0.5);
    }
}
