using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Adapters;

/// <summary>
/// Adapters of the catalogue that no instance holds are loaded by the first request for them, on vLLM simulators:
/// one load however many requests wait, least recently used idle adapters make room, busy ones never go, a slow load
/// answers 504 and finishes for the next request, busy holders spread the adapter, and the key's allow-list applies
/// before any load.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdapterOnDemandTests : IAsyncLifetime
{
    private readonly Dictionary<string, SimulatorHost> _engines = [];
    private GatewayHost _gateway = null!;
    private HttpClient _admin = null!;
    private HttpClient _user = null!;
    private string _adapterDir = null!;

    public async Task InitializeAsync()
    {
        _adapterDir = Directory.CreateTempSubdirectory("llmhost-adapter-").FullName;
        await StartEngine("solo", "--lora-load-ms", "300");
        await StartEngine("evict");
        await StartEngine("busy", "--itl-ms", "40");
        await StartEngine("slow", "--lora-load-ms", "2500");
        await StartEngine("h1", "--itl-ms", "40");
        await StartEngine("h2");
        await StartEngine("decl");
        await StartEngine("guard");
        await StartEngine("broken", "--lora-check-paths");
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: solo, engine: vllm, mode: external, model: org/solo, served_model_name: solo, url: "{{_engines["solo"].Address}}", lora: { spread_at: 64 } }
              - { name: evict, engine: vllm, mode: external, model: org/evict, served_model_name: evict, url: "{{_engines["evict"].Address}}", lora: { max_loaded: 2, min_idle: 0s } }
              - { name: busy, engine: vllm, mode: external, model: org/busy, served_model_name: busy, url: "{{_engines["busy"].Address}}", lora: { max_loaded: 1 } }
              - { name: slow, engine: vllm, mode: external, model: org/slow, served_model_name: slow, url: "{{_engines["slow"].Address}}", lora: { wait_timeout: 1s } }
              - { name: h1, engine: vllm, mode: external, model: org/hot, served_model_name: hot, url: "{{_engines["h1"].Address}}", lora: { spread_at: 1 }, lora_modules: [{ name: shared, path: /s1 }] }
              - { name: h2, engine: vllm, mode: external, model: org/hot, served_model_name: hot, url: "{{_engines["h2"].Address}}", lora: { spread_at: 1 }, lora_modules: [{ name: shared, path: /s2 }] }
              - { name: guard, engine: vllm, mode: external, model: org/guard, served_model_name: guard, url: "{{_engines["guard"].Address}}", lora: { max_loaded: 1 } }
              - { name: broken, engine: vllm, mode: external, model: org/broken, served_model_name: broken, url: "{{_engines["broken"].Address}}" }
              - name: decl
                engine: vllm
                mode: external
                model: org/decl
                served_model_name: decl
                url: "{{_engines["decl"].Address}}"
                lora_modules: [{ name: declared, path: "{{_adapterDir}}" }]
            """);
        _admin = _gateway.ClientWith(GatewayHost.AdminSecret);
        _user = _gateway.ClientWith(GatewayHost.UserSecret);
    }

    private async Task StartEngine(string name, params string[] extra) =>
        _engines[name] = await SimulatorHost.StartAsync(
            ["--engine", "vllm", "--model", $"org/{name}", "--served-model-name", name == "h1" || name == "h2" ? "hot" : name, "--enable-lora", "--allow-runtime-lora", .. extra]);

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _user.Dispose();
        await _gateway.DisposeAsync();
        foreach (var engine in _engines.Values)
        {
            await engine.DisposeAsync();
        }
        Directory.Delete(_adapterDir, recursive: true);
    }

    // Registered in the catalogue, loaded nowhere.
    private async Task Register(string name, string backend)
    {
        var (response, body) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"{{name}}","path":"{{_adapterDir}}","backend":"{{backend}}","instances":[]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, body.GetProperty("results").GetArrayLength());
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string model, HttpClient? client = null, int maxTokens = 1) =>
        Json.PostAsync(client ?? _user, "/v1/chat/completions",
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}],"max_tokens":{{maxTokens}},"ignore_eos":true}""");

    private async Task<List<string>> EngineModels(string engine)
    {
        var models = await Json.GetAsync(_engines[engine].Client, "/v1/models");
        return [.. models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static int LogLines(string text) => GatewayHost.Logs.Lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task FirstRequests_ManyAtOnce_OneLoadThenAllServed()
    {
        await Register("lazy", "solo");

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Chat("lazy")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        Assert.All(answers, a => Assert.Equal("lazy", a.Body.GetProperty("model").GetString()));
        Assert.Equal(1, _engines["solo"].Get<LlmHost.Simulator.Engine.ModelRegistry>().LoadRequests);
        Assert.Contains("lazy", await EngineModels("solo"));
    }

    [Fact]
    public async Task SlotsFull_LeastRecentlyUsedIdleAdapterUnloadedFirst()
    {
        foreach (var name in new[] { "e1", "e2", "e3" })
        {
            await Register(name, "evict");
        }

        foreach (var name in new[] { "e1", "e2", "e3" })
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat(name)).Response.StatusCode);
        }
        Assert.Equal(["e2", "e3"], (await EngineModels("evict")).Where(m => m.StartsWith('e') && m != "evict").Order());
        Assert.Equal(1, LogLines("Adapter e1 unloaded from evict (least recently used"));

        // e3 was used after e2: bringing e1 back sends e2 away.
        Assert.Equal(HttpStatusCode.OK, (await Chat("e1")).Response.StatusCode);
        Assert.Equal(["e1", "e3"], (await EngineModels("evict")).Where(m => m.StartsWith('e') && m != "evict").Order());
    }

    [Fact]
    public async Task SlotsFull_EveryAdapterServing_503RetryAfterAndNothingUnloaded()
    {
        await Register("b1", "busy");
        await Register("b2", "busy");
        Assert.Equal(HttpStatusCode.OK, (await Chat("b1")).Response.StatusCode);

        var longRequest = Chat("b1", maxTokens: 60);
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Instance("busy").Outstanding == 1, TimeSpan.FromSeconds(5)));
        var (response, body) = await Chat("b2");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("adapter_slots_busy", body.GetProperty("error").GetProperty("code").GetString());
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.DoesNotContain("busy", body.GetProperty("error").GetProperty("message").GetString()!.Replace("`b2`", ""));
        Assert.Equal(HttpStatusCode.OK, (await longRequest).Response.StatusCode);
        Assert.Contains("b1", await EngineModels("busy"));
    }

    [Fact]
    public async Task SlotsFull_AdapterUsedWithinMinIdle_Kept503InsteadOfThrashing()
    {
        await Register("g1", "guard");
        await Register("g2", "guard");
        Assert.Equal(HttpStatusCode.OK, (await Chat("g1")).Response.StatusCode);

        var (response, body) = await Chat("g2");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("adapter_slots_busy", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("g1", await EngineModels("guard"));
        Assert.DoesNotContain("g2", await EngineModels("guard"));
    }

    [Fact]
    public async Task FailedLoad_RememberedTheEngineIsNotAskedAgainAtOnce()
    {
        var (registered, _) = await Json.PostAsync(_admin, "/admin/adapters", """{"name":"nowhere","path":"/missing/nowhere","backend":"broken","instances":[]}""");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        var first = await Chat("nowhere");
        var second = await Chat("nowhere");

        Assert.Equal(HttpStatusCode.BadGateway, first.Response.StatusCode);
        Assert.Equal("adapter_load_failed", first.Body.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("/missing", first.Body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadGateway, second.Response.StatusCode);
        Assert.Equal(1, _engines["broken"].Get<LlmHost.Simulator.Engine.ModelRegistry>().LoadRequests);
    }

    [Fact]
    public async Task DeclaredByTwoBackends_OneAdapterRoutedToBoth()
    {
        Assert.True(await Eventually.TrueWithinAsync(async () => (await EngineModels("h1")).Contains("shared") && (await EngineModels("h2")).Contains("shared"),
            TimeSpan.FromSeconds(10)));

        Assert.True(_gateway.Get<LlmHost.Gateway.Routing.RouteRegistry>().Current.TryGet("shared", out var route));
        Assert.Equal(["h1", "h2"], route.Instances.Select(i => i.Name).Order());
        var paths = (await Json.GetAsync(_engines["h2"].Client, "/v1/models")).GetProperty("data").EnumerateArray()
            .Single(m => m.GetProperty("id").GetString() == "shared").GetProperty("root").GetString();
        Assert.Equal("/s2", paths);
    }

    [Fact]
    public async Task SlowLoad_FirstRequest504ThenTheLoadFinishesForTheNext()
    {
        await Register("slowpoke", "slow");

        var (response, body) = await Chat("slowpoke");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("adapter_loading", body.GetProperty("error").GetProperty("code").GetString());
        Assert.True(await Eventually.TrueWithinAsync(async () => (await EngineModels("slow")).Contains("slowpoke"), TimeSpan.FromSeconds(5)));
        Assert.Equal(HttpStatusCode.OK, (await Chat("slowpoke")).Response.StatusCode);
        Assert.Equal(1, LogLines("Adapter slowpoke loaded on slow"));
    }

    [Fact]
    public async Task HoldersBusy_AdapterLoadedOnAnotherInstanceToo()
    {
        var (loaded, _) = await Json.PostAsync(_admin, "/admin/adapters", $$"""{"name":"spready","path":"{{_adapterDir}}","base_model":"hot","instances":["h1"]}""");
        Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);

        var longRequest = Chat("spready", maxTokens: 40);
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Instance("h1").Outstanding == 1, TimeSpan.FromSeconds(5)));
        var (response, _) = await Chat("spready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("spready", await EngineModels("h2"));
        Assert.Equal(1, LogLines("Adapter spready loaded on h2 too"));
        Assert.Equal(1, _engines["h2"].RequestsServed);
        await longRequest;
    }

    [Fact]
    public async Task AllowList_AppliesToAdapterNamesBeforeAnyLoad()
    {
        await Register("secret-adapter", "solo");
        await Register("team-sql", "solo");
        var (created, key) = await Json.PostAsync(_admin, "/admin/keys", """{"id":"narrow","models":["solo","team-*"]}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var narrow = _gateway.ClientWith(key.GetProperty("secret").GetString());

        var (refused, body) = await Chat("secret-adapter", narrow);
        var (allowed, _) = await Chat("team-sql", narrow);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("model_not_allowed", body.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("secret-adapter", await EngineModels("solo"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task DeclaredInConfig_MissingOnTheEngine_LoadedAtStart()
    {
        Assert.True(await Eventually.TrueWithinAsync(async () => (await EngineModels("decl")).Contains("declared"), TimeSpan.FromSeconds(10)));

        var list = await Json.GetAsync(_admin, "/admin/adapters");
        var view = list.GetProperty("adapters").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "declared");
        Assert.Equal("config", view.GetProperty("declared_in").GetString());
        Assert.Equal(HttpStatusCode.OK, (await Chat("declared")).Response.StatusCode);

        // Unloaded by an admin, it stays in the catalogue: the next request loads it again.
        var unload = await _admin.DeleteAsync("/admin/adapters/declared");
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.True((await Json.ReadAsync(unload)).GetProperty("registered").GetBoolean());
        Assert.DoesNotContain("declared", await EngineModels("decl"));
        Assert.Equal(HttpStatusCode.OK, (await Chat("declared")).Response.StatusCode);
        Assert.Contains("declared", await EngineModels("decl"));
    }
}
