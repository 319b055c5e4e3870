using System.Net;
using System.Text.Json;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>The gateway in front of a simulated vLLM and a simulated SGLang: routing by model, streaming, errors.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayRoutingTests : IAsyncLifetime
{
    private SimulatorHost _vllm = null!;
    private SimulatorHost _sglang = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _vllm = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/qwen", "--served-model-name", "qwen", "--lora-modules", "sql=/a/sql", "--api-key", "backend-secret");
        _sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "org/llama", "--served-model-name", "llama");
        Environment.SetEnvironmentVariable("LLMHOST_TEST_VLLM_KEY", "backend-secret");
        _gateway = await GatewayHost.StartAsync($$"""
            gateway: { max_request_body_mb: 1 }
            routing:
              discovery_interval: 1s
              model_backend_mapping:
                qwen-alias: [vllm-a]
            backends:
              - { name: vllm-a, engine: vllm, mode: external, model: org/qwen, url: "{{_vllm.Address}}", api_key_env: LLMHOST_TEST_VLLM_KEY }
              - { name: sglang-b, engine: sglang, mode: external, model: org/llama, url: "{{_sglang.Address}}" }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _vllm.DisposeAsync();
        await _sglang.DisposeAsync();
    }

    [Fact]
    public async Task Models_ListsDiscoveredModelsAdaptersAndMappedNames()
    {
        var cards = (await Json.GetAsync(_gateway.Client, "/v1/models")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(["llama", "qwen", "qwen-alias", "sql"], cards.Select(c => c.GetProperty("id").GetString()));
        Assert.Equal("qwen", cards.Single(c => c.GetProperty("id").GetString() == "sql").GetProperty("parent").GetString());
        Assert.Equal("sglang", cards[0].GetProperty("owned_by").GetString());
    }

    [Theory]
    [InlineData("qwen", "qwen")]
    [InlineData("sql", "sql")]
    [InlineData("llama", "llama")]
    public async Task Chat_RoutesByModel_ToTheBackendServingIt(string model, string answeredModel)
    {
        var (response, body) = await Json.PostAsync(_gateway.Client, "/v1/chat/completions",
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}],"max_tokens":3}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answeredModel, body.GetProperty("model").GetString());
        // stop_reason is vLLM's own field: it tells which engine answered.
        Assert.Equal(model != "llama", body.GetProperty("choices")[0].TryGetProperty("stop_reason", out _));
    }

    [Fact]
    public async Task Chat_BackendApiKey_ReplacesClientCredentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body("""{"model":"qwen","messages":[],"max_tokens":1}"""),
        };
        // A valid gateway key, which vLLM (started with --api-key backend-secret) would reject if it were forwarded.
        request.Headers.Authorization = new("Bearer", GatewayHost.UserSecret);

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Stream_PassesSseThroughUnchanged()
    {
        var response = await _gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"llama","messages":[],"max_tokens":4,"stream":true,"stream_options":{"include_usage":true}}"""));

        var chunks = Sse.JsonChunks(Sse.ParseEvents(await response.Content.ReadAsStringAsync()));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(6, chunks.Count);
        Assert.Equal(4, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_AreRoutedToo()
    {
        var (response, body) = await Json.PostAsync(_gateway.Client, "/v1/completions", """{"model":"llama","prompt":"x","max_tokens":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Chat_UnknownModel_Is404ModelNotFound()
    {
        var (response, body) = await Json.PostAsync(_gateway.Client, "/v1/chat/completions", """{"model":"gpt-x","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Equal("The model `gpt-x` does not exist or you do not have access to it.", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_MalformedJson_Is400InOpenAIShape()
    {
        var (response, body) = await Json.PostAsync(_gateway.Client, "/v1/chat/completions", """{"model":"qwen",""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").GetProperty("code").ValueKind);
    }

    [Fact]
    public async Task Chat_BodyOverLimit_Is413()
    {
        var padding = new string('x', 1024 * 1024 + 10);
        var (response, body) = await Json.PostAsync(_gateway.Client, "/v1/chat/completions", $$"""{"model":"qwen","pad":"{{padding}}"}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", body.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Chat_BackendError_KeepsBackendStatus()
    {
        var (response, _) = await Json.PostAsync(_gateway.Client, "/v1/chat/completions", """{"model":"qwen","messages":[],"max_tokens":0}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Routing_MappedName_GoesToMappedBackend()
    {
        var routes = _gateway.Get<RouteRegistry>().Current;

        Assert.True(routes.TryGet("qwen-alias", out var mapped));
        Assert.Equal(RouteSource.Mapping, mapped.Source);
        Assert.Equal("vllm-a", Assert.Single(mapped.Instances).Name);
        Assert.True(routes.TryGet("sql", out var adapter));
        Assert.Equal(RouteSource.Discovery, adapter.Source);
    }

    [Fact]
    public async Task Health_ReadyAfterDiscovery()
    {
        var response = await _gateway.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
