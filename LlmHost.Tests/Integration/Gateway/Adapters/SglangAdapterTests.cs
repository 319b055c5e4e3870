using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Adapters;

/// <summary>
/// Adapters on SGLang simulators: loaded on every replica, requested by name and sent as SGLang's
/// <c>base:adapter</c>, loaded on demand with the least recently used idle adapter making room, and an engine whose
/// own slots are full reported per instance (207).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SglangAdapterTests : IAsyncLifetime
{
    private SimulatorHost _s1 = null!;
    private SimulatorHost _s2 = null!;
    private SimulatorHost _tight = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _admin = null!;
    private string _adapterDir = null!;

    public async Task InitializeAsync()
    {
        _adapterDir = Directory.CreateTempSubdirectory("llmhost-adapter-").FullName;
        string[] common = ["--engine", "sglang", "--model", "org/llama", "--served-model-name", "llama", "--enable-lora", "--lora-load-ms", "20"];
        _s1 = await SimulatorHost.StartAsync([.. common, "--max-loras-per-batch", "2", "--max-loaded-loras", "2"]);
        _s2 = await SimulatorHost.StartAsync([.. common, "--max-loras-per-batch", "2", "--max-loaded-loras", "2"]);
        // An engine started with fewer slots than config.yaml says: its refusal must reach the operator.
        _tight = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "org/mistral", "--served-model-name", "mistral",
            "--lora-paths", "resident=/r", "--max-loras-per-batch", "1", "--max-loaded-loras", "1");
        var peer = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "org/mistral", "--served-model-name", "mistral", "--enable-lora");
        _peer = peer;
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: s1, engine: sglang, mode: external, model: org/llama, served_model_name: llama, url: "{{_s1.Address}}", lora: { max_loaded: 2, spread_at: 64, min_idle: 0s } }
              - { name: s2, engine: sglang, mode: external, model: org/llama, served_model_name: llama, url: "{{_s2.Address}}", lora: { max_loaded: 2, spread_at: 64, min_idle: 0s } }
              - { name: tight, engine: sglang, mode: external, model: org/mistral, served_model_name: mistral, url: "{{_tight.Address}}", lora: { max_loaded: 4 } }
              - { name: peer, engine: sglang, mode: external, model: org/mistral, served_model_name: mistral, url: "{{peer.Address}}", lora: { max_loaded: 4 } }
            """);
        _admin = _gateway.ClientWith(GatewayHost.AdminSecret);
    }

    private SimulatorHost _peer = null!;

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
        foreach (var engine in new[] { _s1, _s2, _tight, _peer })
        {
            await engine.DisposeAsync();
        }
        Directory.Delete(_adapterDir, recursive: true);
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string model) =>
        Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

    private static async Task<List<string>> EngineModels(SimulatorHost engine)
    {
        var models = await Json.GetAsync(engine.Client, "/v1/models");
        return [.. models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    [Fact]
    public async Task Load_BothReplicas_RoutedInSglangForm()
    {
        var (response, body) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"tone","path":"{{_adapterDir}}","base_model":"llama"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.Contains("tone", await EngineModels(_s1));
        Assert.Contains("tone", await EngineModels(_s2));
        var before = _s1.RequestsServed + _s2.RequestsServed;
        var (chat, answer) = await Chat("tone");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(before + 1, _s1.RequestsServed + _s2.RequestsServed);
        // The engine was asked for (and answers with) SGLang's form of the name.
        Assert.Equal("llama:tone", answer.GetProperty("model").GetString());
    }

    [Fact]
    public async Task OnDemand_SlotsFull_LeastRecentlyUsedIdleMakesRoom()
    {
        foreach (var name in new[] { "x1", "x2", "x3" })
        {
            var (registered, _) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"{{name}}","path":"{{_adapterDir}}","backend":"s1","instances":[]}""");
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        foreach (var name in new[] { "x1", "x2", "x3" })
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat(name)).Response.StatusCode);
        }

        // The engine's own limit (two) was never hit: the gateway unloaded x1 before loading x3.
        Assert.Equal(["x2", "x3"], (await EngineModels(_s1)).Where(m => m.StartsWith('x')).Order());
    }

    [Fact]
    public async Task Load_OneEngineSlotsFull_207WithEachAnswer()
    {
        var (response, body) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"extra","path":"{{_adapterDir}}","base_model":"mistral","register":false}""");

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var results = body.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("instance").GetString()!);
        Assert.True(results["peer"].GetProperty("ok").GetBoolean());
        Assert.False(results["tight"].GetProperty("ok").GetBoolean());
        Assert.True(results["tight"].GetProperty("slots_full").GetBoolean());
        Assert.Contains("Maximum number of loaded LoRA adapters (1) reached", results["tight"].GetProperty("message").GetString());
        Assert.Equal(1, body.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task OnDemand_ManyFirstRequestsAtOnce_OneLoad()
    {
        var (registered, _) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"crowd","path":"{{_adapterDir}}","backend":"s2","instances":[]}""");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var loadsBefore = _s2.Get<LlmHost.Simulator.Engine.ModelRegistry>().LoadRequests;

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Chat("crowd")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        Assert.Equal(loadsBefore + 1, _s2.Get<LlmHost.Simulator.Engine.ModelRegistry>().LoadRequests);
    }

    [Fact]
    public async Task Unload_Everywhere_BothReplicasDropIt()
    {
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"brief","path":"{{_adapterDir}}","base_model":"llama"}""")).Response.StatusCode);

        var response = await _admin.DeleteAsync("/admin/adapters/brief");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await Json.ReadAsync(response)).GetProperty("succeeded").GetInt32());
        Assert.DoesNotContain("brief", await EngineModels(_s1));
        Assert.DoesNotContain("brief", await EngineModels(_s2));
        Assert.Equal(HttpStatusCode.NotFound, (await Chat("brief")).Response.StatusCode);
    }
}
