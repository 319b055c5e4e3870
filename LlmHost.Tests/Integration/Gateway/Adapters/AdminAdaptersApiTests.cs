using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Adapters;

/// <summary>
/// <c>/admin/adapters</c> against vLLM simulators: two instances of one base model (runtime LoRA on), one engine
/// started without runtime LoRA and one backend with LoRA switched off in config.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminAdaptersApiTests : IAsyncLifetime
{
    private SimulatorHost _a = null!;
    private SimulatorHost _b = null!;
    private SimulatorHost _locked = null!;
    private SimulatorHost _plain = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _admin = null!;
    private string _adapterDir = null!;

    public async Task InitializeAsync()
    {
        _adapterDir = Directory.CreateTempSubdirectory("llmhost-adapter-").FullName;
        string[] runtime = ["--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--enable-lora", "--allow-runtime-lora", "--lora-check-paths", "--lora-load-ms", "50"];
        _a = await SimulatorHost.StartAsync(runtime);
        _b = await SimulatorHost.StartAsync(runtime);
        _locked = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/other", "--served-model-name", "other", "--enable-lora");
        _plain = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/plain", "--served-model-name", "plain");
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: a, engine: vllm, mode: external, model: org/base, served_model_name: base, url: "{{_a.Address}}" }
              - { name: b, engine: vllm, mode: external, model: org/base, served_model_name: base, url: "{{_b.Address}}" }
              - { name: locked, engine: vllm, mode: external, model: org/other, served_model_name: other, url: "{{_locked.Address}}" }
              - { name: plain, engine: vllm, mode: external, model: org/plain, served_model_name: plain, url: "{{_plain.Address}}", lora: { enabled: false } }
            """);
        _admin = _gateway.ClientWith(GatewayHost.AdminSecret);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _locked.DisposeAsync();
        await _plain.DisposeAsync();
        Directory.Delete(_adapterDir, recursive: true);
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> Load(string json) => Json.PostAsync(_admin, "/admin/adapters", json);

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string model) =>
        Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

    private static async Task<List<string>> EngineModels(SimulatorHost engine)
    {
        var models = await Json.GetAsync(engine.Client, "/v1/models");
        return [.. models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private static Dictionary<string, JsonElement> ResultsByInstance(JsonElement body) =>
        body.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("instance").GetString()!);

    [Fact]
    public async Task Load_BaseModel_LoadsOnEveryInstanceRegistersAndRoutes()
    {
        var (response, body) = await Load($$"""{"name":"sql","path":"{{_adapterDir}}","base_model":"base"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("registered").GetBoolean());
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.Equal(["a", "b"], ResultsByInstance(body).Keys.Order());
        Assert.Contains("sql", await EngineModels(_a));
        Assert.Contains("sql", await EngineModels(_b));
        // The routing table has it at once, without a discovery round.
        var (chat, answer) = await Chat("sql");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("sql", answer.GetProperty("model").GetString());
        var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(_gateway.KeysPath)!, "adapters.json"))).RootElement;
        var saved = Assert.Single(file.GetProperty("adapters").EnumerateArray());
        Assert.Equal("sql", saved.GetProperty("name").GetString());
        Assert.Equal("testadmin", saved.GetProperty("registered_by").GetString());

        var list = await Json.GetAsync(_admin, "/admin/adapters");
        var view = Assert.Single(list.GetProperty("adapters").EnumerateArray());
        Assert.Equal("admin", view.GetProperty("declared_in").GetString());
        Assert.Equal("base", view.GetProperty("base_model").GetString());
        Assert.Equal(["a", "b"], view.GetProperty("loaded_on").EnumerateArray().Select(i => i.GetProperty("instance").GetString()).Order());
    }

    [Fact]
    public async Task Load_NamedInstance_LoadsThereOnly()
    {
        var (response, body) = await Load($$"""{"name":"only-a","path":"{{_adapterDir}}","backend":"a","instances":["a"],"register":false}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.GetProperty("registered").GetBoolean());
        Assert.Contains("only-a", await EngineModels(_a));
        Assert.DoesNotContain("only-a", await EngineModels(_b));
        var listed = (await Json.GetAsync(_admin, "/admin/adapters")).GetProperty("adapters").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "only-a");
        Assert.Equal("engine", listed.GetProperty("declared_in").GetString());
    }

    [Fact]
    public async Task List_Refresh_ShowsAnAdapterLoadedOnTheEngineDirectly()
    {
        (await _b.Client.PostAsync("/v1/load_lora_adapter", Json.Body($$"""{"lora_name":"side-door","lora_path":"{{_adapterDir}}"}"""))).EnsureSuccessStatusCode();

        var cached = await Json.GetAsync(_admin, "/admin/adapters");
        var live = await Json.GetAsync(_admin, "/admin/adapters?refresh=true");

        Assert.DoesNotContain(cached.GetProperty("adapters").EnumerateArray(), a => a.GetProperty("name").GetString() == "side-door");
        var view = live.GetProperty("adapters").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "side-door");
        Assert.Equal("engine", view.GetProperty("declared_in").GetString());
        Assert.Equal("b", view.GetProperty("loaded_on")[0].GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Load_PathTheEngineRefuses_ReportsEachEngineAnswerAnd502()
    {
        var (response, body) = await Load("""{"name":"ghost","path":"/nonexistent/ghost","base_model":"base","register":false}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(2, body.GetProperty("failed").GetInt32());
        foreach (var result in ResultsByInstance(body).Values)
        {
            Assert.False(result.GetProperty("ok").GetBoolean());
            Assert.Equal(404, result.GetProperty("status").GetInt32());
            Assert.Contains("No adapter found for /nonexistent/ghost", result.GetProperty("message").GetString());
        }
        Assert.DoesNotContain("ghost", await EngineModels(_a));
    }

    [Fact]
    public async Task Load_EngineWithoutRuntimeLora_SaysSo()
    {
        var (response, body) = await Load($$"""{"name":"nope","path":"{{_adapterDir}}","base_model":"other","register":false}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var result = ResultsByInstance(body)["locked"];
        Assert.True(result.GetProperty("runtime_lora_disabled").GetBoolean());
        Assert.Equal(404, result.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Load_BackendWithLoraOff_RefusedByTheGatewayWithoutCallingTheEngine()
    {
        var (response, body) = await Load($$"""{"name":"nope2","path":"{{_adapterDir}}","backend":"plain","register":false}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var result = ResultsByInstance(body)["plain"];
        Assert.Equal(409, result.GetProperty("status").GetInt32());
        Assert.Contains("lora.enabled: false", result.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"name":"x","path":"/p","base_model":"nobody"}""", 404, "base_model")]
    [InlineData("""{"name":"x","path":"/p","backend":"nobody"}""", 404, "backend")]
    [InlineData("""{"name":"x","path":"/p"}""", 400, "base_model")]
    [InlineData("""{"name":"x","path":"/p","base_model":"base","backend":"a"}""", 400, "base_model")]
    [InlineData("""{"name":"a:b","path":"/p","base_model":"base"}""", 400, "name")]
    [InlineData("""{"name":"x","path":"","base_model":"base"}""", 400, "path")]
    [InlineData("""{"name":"base","path":"/p","base_model":"base"}""", 409, "name")]
    [InlineData("""{"name":"x","path":"/p","base_model":"base","instances":["zz"]}""", 400, "instances")]
    [InlineData("""{"name":"x\n","path":"/p","base_model":"base"}""", 400, "name")]
    [InlineData("""{"name":"x","path":"/p","base_model":"base","instances":[null]}""", 400, "instances")]
    public async Task Load_BadRequest_OpenAIErrorNamingTheField(string json, int status, string param)
    {
        var (response, body) = await Load(json);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
        Assert.DoesNotContain("x", await EngineModels(_a));
    }

    [Fact]
    public async Task Admin_UserKey_ForbiddenOnEveryRoute()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/admin/adapters")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync("/admin/adapters", Json.Body($$"""{"name":"u","path":"{{_adapterDir}}","base_model":"base"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync("/admin/adapters/u")).StatusCode);
        Assert.DoesNotContain("u", await EngineModels(_a));
    }

    [Fact]
    public async Task Load_FailsEverywhere_NotKeptInTheCatalogue()
    {
        var (response, body) = await Load("""{"name":"doomed","path":"/nonexistent/doomed","base_model":"base"}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(body.GetProperty("registered").GetBoolean());
        var (chat, _) = await Chat("doomed");
        Assert.Equal(HttpStatusCode.NotFound, chat.StatusCode);
    }

    [Fact]
    public async Task Load_RegisteredWithAnotherPath_409UntilUnloaded()
    {
        Assert.Equal(HttpStatusCode.OK, (await Load($$"""{"name":"moved","path":"{{_adapterDir}}","base_model":"base"}""")).Response.StatusCode);

        var (response, body) = await Load("""{"name":"moved","path":"/elsewhere","base_model":"base"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("path", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Unload_InstanceNamedTwice_CountedOnce()
    {
        Assert.Equal(HttpStatusCode.OK, (await Load($$"""{"name":"twice","path":"{{_adapterDir}}","base_model":"base"}""")).Response.StatusCode);

        var response = await _admin.DeleteAsync("/admin/adapters/twice?instances=a,a");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single((await Json.ReadAsync(response)).GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Unload_Everywhere_UnloadsDeregistersAndStopsRouting()
    {
        Assert.Equal(HttpStatusCode.OK, (await Load($$"""{"name":"gone","path":"{{_adapterDir}}","base_model":"base"}""")).Response.StatusCode);

        var response = await _admin.DeleteAsync("/admin/adapters/gone");
        var body = await Json.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(body.GetProperty("registered").GetBoolean());
        Assert.Equal(2, body.GetProperty("succeeded").GetInt32());
        Assert.DoesNotContain("gone", await EngineModels(_a));
        Assert.DoesNotContain("gone", await EngineModels(_b));
        var (chat, _) = await Chat("gone");
        Assert.Equal(HttpStatusCode.NotFound, chat.StatusCode);
    }

    [Fact]
    public async Task Unload_NamedInstance_KeepsTheOtherAndTheRegistration()
    {
        Assert.Equal(HttpStatusCode.OK, (await Load($$"""{"name":"half","path":"{{_adapterDir}}","base_model":"base"}""")).Response.StatusCode);

        var response = await _admin.DeleteAsync("/admin/adapters/half?instances=b");
        var body = await Json.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("registered").GetBoolean());
        Assert.Contains("half", await EngineModels(_a));
        Assert.DoesNotContain("half", await EngineModels(_b));
    }

    [Fact]
    public async Task Unload_Unknown_404()
    {
        var response = await _admin.DeleteAsync("/admin/adapters/never-was");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await Json.ReadAsync(response)).GetProperty("error").GetProperty("code").GetString());
    }
}
