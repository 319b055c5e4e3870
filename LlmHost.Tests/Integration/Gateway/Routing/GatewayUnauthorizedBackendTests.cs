using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>vLLM's <c>{"error":"Unauthorized"}</c> (the backend key is wrong) reaches the client in OpenAI's shape.</summary>
[Trait("Category", "Integration")]
public class GatewayUnauthorizedBackendTests
{
    [Fact]
    public async Task VllmUnauthorized_IsNormalised()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "v", "--api-key", "right");
        Environment.SetEnvironmentVariable("LLMHOST_TEST_KEY_WRONG", "wrong");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h, model_backend_mapping: { v: [v] } }
            backends:
              - { name: v, engine: vllm, mode: external, model: v, url: "{{sim.Address}}", api_key_env: LLMHOST_TEST_KEY_WRONG }
            """);
        gateway.Instance("v").Reachable = true;

        var (response, body) = await Json.PostAsync(gateway.Client, "/v1/chat/completions", """{"model":"v","messages":[]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal("Unauthorized", error.GetProperty("message").GetString());
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
    }
}
