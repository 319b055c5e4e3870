using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>A backend that is not there: the gateway starts, reports it, and answers 503 for its models.</summary>
[Trait("Category", "Integration")]
public class GatewayBackendDownTests
{
    [Fact]
    public async Task MappedModelOfDeadBackend_Is503NoHealthyBackend()
    {
        await using var gateway = await GatewayHost.StartAsync("""
            routing:
              discovery_interval: 1s
              model_backend_mapping: { ghost-model: [ghost] }
            backends:
              - { name: ghost, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:9" }
            """);

        var (response, body) = await Json.PostAsync(gateway.Client, "/v1/chat/completions", """{"model":"ghost-model","messages":[]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("backend_unavailable", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Health_AliveButNotReady_WhenNoBackendAnswers()
    {
        await using var gateway = await GatewayHost.StartAsync("""
            backends:
              - { name: ghost, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:9" }
            """);

        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await gateway.Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task GatewayStart_InvalidConfig_ThrowsWithEveryProblem()
    {
        var ex = await Assert.ThrowsAsync<LlmHost.Backends.Configuration.ConfigException>(() => GatewayHost.StartAsync("backends:\n  - { name: x, engine: tgi, model: m }\n"));

        Assert.Contains("backends[0].engine: 'tgi' is not one of vllm, sglang", ex.Message);
    }
}
