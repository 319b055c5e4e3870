using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Proxy;

/// <summary>Every gateway error status in OpenAI's exact shape, and engine errors normalised through the gateway.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayErrorTests : IAsyncLifetime
{
    private SimulatorHost _vllm = null!;
    private SimulatorHost _legacy = null!;
    private SimulatorHost _sglang = null!;
    private SimulatorHost _slow = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _vllm = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "v", "--max-model-len", "32");
        _legacy = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "old", "--legacy-errors");
        _sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "s");
        _slow = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "slow", "--ttft-ms", "3000");
        _gateway = await GatewayHost.StartAsync($$"""
            gateway: { max_request_body_mb: 1, activity_timeout: 1s, forward_headers: [X-Return-Error] }
            routing:
              discovery_interval: 1h
              health_check_interval: 1h
              model_backend_mapping: { locked: [locked] }
            backends:
              - { name: v, engine: vllm, mode: external, model: v, url: "{{_vllm.Address}}" }
              - { name: old, engine: vllm, mode: external, model: old, url: "{{_legacy.Address}}" }
              - { name: s, engine: sglang, mode: external, model: s, url: "{{_sglang.Address}}" }
              - { name: slow, engine: vllm, mode: external, model: slow, url: "{{_slow.Address}}" }
              - { name: locked, engine: vllm, mode: external, model: v, url: "{{_vllm.Address}}", api_key_env: LLMHOST_TEST_WRONG_KEY }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var sim in (SimulatorHost[])[_vllm, _legacy, _sglang, _slow])
        {
            await sim.DisposeAsync();
        }
    }

    private static void AssertOpenAIError(JsonElement body, string type, string? code, string? param)
    {
        var error = body.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").ValueKind == JsonValueKind.Null ? null : error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").ValueKind == JsonValueKind.Null ? null : error.GetProperty("param").GetString());
    }

    private async Task<(HttpResponseMessage, JsonElement)> Post(string json, string? forceError = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body(json) };
        if (forceError is not null)
        {
            request.Headers.Add("X-Return-Error", forceError);
        }
        var response = await _gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [InlineData("""{"model":"v",""", null)]
    [InlineData("""{"messages":[]}""", "model")]
    [InlineData("""{"model":["v"]}""", "model")]
    [InlineData("""{"model":"v","stream":1}""", "stream")]
    [InlineData("""{"model":"v","max_tokens":"10"}""", "max_tokens")]
    public async Task BadRequest_Is400(string json, string? param)
    {
        var (response, body) = await Post(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertOpenAIError(body, "invalid_request_error", null, param);
    }

    [Fact]
    public async Task UnknownModel_Is404()
    {
        var (response, body) = await Post("""{"model":"gpt-9","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertOpenAIError(body, "invalid_request_error", "model_not_found", "model");
    }

    [Fact]
    public async Task BodyTooLarge_Is413()
    {
        var (response, body) = await Post("{\"model\":\"v\",\"pad\":\"" + new string('x', 1_100_000) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertOpenAIError(body, "invalid_request_error", "request_too_large", null);
    }

    [Fact]
    public async Task NoReachableBackend_Is503()
    {
        _gateway.Instance("locked").Reachable = false;

        var (response, body) = await Post("""{"model":"locked","messages":[]}""");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertOpenAIError(body, "server_error", "backend_unavailable", null);
    }

    [Fact]
    public async Task BackendTooSlow_Is504()
    {
        var (response, body) = await Post("""{"model":"slow","messages":[],"max_tokens":1}""");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        AssertOpenAIError(body, "server_error", "backend_timeout", null);
    }

    [Fact]
    public async Task VllmNestedError_IsNormalised_KeepingStatus()
    {
        var (response, body) = await Post("""{"model":"v","messages":[{"role":"user","content":"a b c"}],"max_tokens":30}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertOpenAIError(body, "invalid_request_error", "context_length_exceeded", "max_tokens");
    }

    [Fact]
    public async Task VllmLegacyFlatError_IsNormalised()
    {
        var (response, body) = await Post("""{"model":"old","messages":[]}""", forceError: "429");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        AssertOpenAIError(body, "requests", "rate_limit_exceeded", null);
    }

    [Fact]
    public async Task SglangFlatError_IsNormalised()
    {
        var (response, body) = await Post("""{"model":"s","messages":5}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertOpenAIError(body, "invalid_request_error", null, null);
        Assert.StartsWith("1 validation error(s)", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task BackendServerError_IsNormalisedAsServerError()
    {
        var (response, body) = await Post("""{"model":"v","messages":[]}""", forceError: "500");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertOpenAIError(body, "server_error", null, null);
    }
}
