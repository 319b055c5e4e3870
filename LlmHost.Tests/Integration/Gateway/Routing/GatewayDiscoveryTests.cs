using System.Net;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>The routing table: mapping beats discovery, models and adapters come and go with the backends.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayDiscoveryTests : IAsyncLifetime
{
    private SimulatorHost _a = null!;
    private SimulatorHost _b = null!;
    private SimulatorHost _sglang = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("VLLM_ALLOW_RUNTIME_LORA_UPDATING", null);
        _a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--allow-runtime-lora", "--enable-lora");
        _b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--lora-modules", "only-b=/b");
        _sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "org/llama", "--served-model-name", "llama", "--lora-paths", "tone=/t");
        _gateway = await GatewayHost.StartAsync($$"""
            routing:
              discovery_interval: 1h
              health_check_interval: 1h
              model_backend_mapping:
                pinned: [b]
                base-alias: [a]
            backends:
              - { name: a, engine: vllm, mode: external, model: org/base, served_model_name: base, url: "{{_a.Address}}" }
              - { name: b, engine: vllm, mode: external, model: org/base, served_model_name: base, url: "{{_b.Address}}" }
              - { name: s, engine: sglang, mode: external, model: org/llama, served_model_name: llama, url: "{{_sglang.Address}}" }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _sglang.DisposeAsync();
    }

    private Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> Chat(string model) =>
        Json.PostAsync(_gateway.Client, "/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

    [Fact]
    public async Task Mapping_BeatsDiscovery()
    {
        // "base" is discovered on a and b; mapping the same name to b alone would win, as "pinned" shows for a new name.
        Assert.True(_gateway.Get<RouteRegistry>().Current.TryGet("pinned", out var pinned));
        Assert.Equal(RouteSource.Mapping, pinned.Source);
        Assert.Equal(["b"], pinned.Instances.Select(i => i.Name));

        var before = (_a.RequestsServed, _b.RequestsServed);
        var (response, body) = await Chat("pinned");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("base", body.GetProperty("model").GetString());
        Assert.Equal((before.Item1, before.Item2 + 1), (_a.RequestsServed, _b.RequestsServed));
    }

    [Fact]
    public async Task MappedAlias_IsRewrittenToTheBackendsServedName()
    {
        var before = _a.RequestsServed;

        var (response, _) = await Chat("base-alias");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before + 1, _a.RequestsServed);
    }

    [Fact]
    public async Task AdapterListedByOneBackend_RoutesOnlyThere()
    {
        var before = (_a.RequestsServed, _b.RequestsServed);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat("only-b")).Response.StatusCode);
        }

        Assert.Equal((before.Item1, before.Item2 + 10), (_a.RequestsServed, _b.RequestsServed));
    }

    [Fact]
    public async Task DiscoveryRound_AddsLoadedAdapter_AndRemovesUnloadedOne()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Chat("fresh")).Response.StatusCode);

        (await _a.Client.PostAsync("/v1/load_lora_adapter", Json.Body("""{"lora_name":"fresh","lora_path":"/fresh"}"""))).EnsureSuccessStatusCode();
        await _gateway.DiscoverAsync();
        var (added, body) = await Chat("fresh");

        (await _a.Client.PostAsync("/v1/unload_lora_adapter", Json.Body("""{"lora_name":"fresh"}"""))).EnsureSuccessStatusCode();
        await _gateway.DiscoverAsync();
        var (removed, _) = await Chat("fresh");

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("fresh", body.GetProperty("model").GetString());
        Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
    }

    [Fact]
    public async Task SglangAdapter_IsRequestedAsBaseColonAdapter()
    {
        var (response, body) = await Chat("tone");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("llama:tone", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task ModelsList_ShowsAdaptersWithParent()
    {
        var cards = (await Json.GetAsync(_gateway.Client, "/v1/models")).GetProperty("data").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c);

        Assert.Equal(["base", "base-alias", "llama", "only-b", "pinned", "tone"], cards.Keys.Order());
        Assert.Equal("base", cards["only-b"].GetProperty("parent").GetString());
        Assert.Equal("llama", cards["tone"].GetProperty("parent").GetString());
        Assert.Equal("list", (await Json.GetAsync(_gateway.Client, "/v1/models")).GetProperty("object").GetString());
    }

    [Fact]
    public async Task ModelRetrieve_KnownAndUnknown()
    {
        var known = await Json.GetAsync(_gateway.Client, "/v1/models/only-b");
        var unknown = await _gateway.Client.GetAsync("/v1/models/nope");
        var error = System.Text.Json.JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal("only-b", known.GetProperty("id").GetString());
        Assert.Equal("model", known.GetProperty("object").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }
}
