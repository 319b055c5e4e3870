using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LlmHost.Simulator.Engine;
using EngineSleep = LlmHost.Simulator.Engine.SleepState;
using SleepState = LlmHost.Gateway.Routing.SleepState;

namespace LlmHost.Tests.Integration.Gateway.Lifecycle;

/// <summary>
/// vLLM sleep mode through the gateway, against simulators: by hand, when idle, woken by the next request (one wake
/// however many wait), a wake that fails answers 503, and the engines' own sleep routes are not reachable through it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SleepWakeTests : IAsyncLifetime
{
    private readonly Dictionary<string, SimulatorHost> _engines = [];
    private GatewayHost _gateway = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "nap", "crowd", "idle", "gone", "plain", "early", "guarded", "slowwake", "busy", "asleep" })
        {
            string[] sleepy = name switch
            {
                "plain" => [],
                "slowwake" => ["--enable-sleep-mode", "--server-dev-mode", "--wake-ms", "3000"],
                "busy" => ["--enable-sleep-mode", "--server-dev-mode", "--itl-ms", "40"],
                _ => ["--enable-sleep-mode", "--server-dev-mode", "--wake-ms", "300"],
            };
            _engines[name] = await SimulatorHost.StartAsync(["--engine", "vllm", "--model", $"org/{name}", "--served-model-name", name, .. sleepy]);
        }
        _engines["sg"] = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "org/sg", "--served-model-name", "sg",
            "--enable-memory-saver", "--enable-weights-cpu-backup", "--wake-ms", "300");
        // An engine an earlier run left asleep.
        (await _engines["early"].Client.PostAsync("/sleep?level=1", null)).EnsureSuccessStatusCode();
        string Backend(string name, string sleep) =>
            $$"""  - { name: {{name}}, engine: vllm, mode: external, model: org/{{name}}, served_model_name: {{name}}, url: "{{_engines[name].Address}}", sleep: {{sleep}} }""";
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
            {{Backend("nap", "{ enabled: true }")}}
            {{Backend("crowd", "{ enabled: true }")}}
            {{Backend("idle", "{ enabled: true, idle_after: 1s }")}}
            {{Backend("gone", "{ enabled: true, wake_timeout: 5s }")}}
            {{Backend("plain", "{ enabled: false }")}}
            {{Backend("early", "{ enabled: true }")}}
            {{Backend("guarded", "{ enabled: true }")}}
            {{Backend("slowwake", "{ enabled: true, wake_timeout: 1s }")}}
            {{Backend("busy", "{ enabled: true }")}}
            {{Backend("asleep", "{ enabled: true }")}}
              - { name: sg, engine: sglang, mode: external, model: org/sg, served_model_name: sg, url: "{{_engines["sg"].Address}}", sleep: { enabled: true } }
            """);
        _admin = _gateway.ClientWith(GatewayHost.AdminSecret);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _gateway.DisposeAsync();
        foreach (var engine in _engines.Values)
        {
            await engine.DisposeAsync();
        }
    }

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string model) =>
        Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

    private EngineSleep StateOf(string engine) => _engines[engine].Get<EngineSleep>();

    private async Task<(HttpResponseMessage Response, JsonElement Body)> Admin(string instance, string action) =>
        (await _admin.PostAsync($"/admin/backends/{instance}/{action}", null)) is var response ? (response, await Json.ReadAsync(response)) : default;

    [Fact]
    public async Task AdminSleep_NextRequestWakesTheEngineAndIsServed()
    {
        var (slept, body) = await Admin("nap", "sleep");
        Assert.Equal(HttpStatusCode.OK, slept.StatusCode);
        Assert.Equal("sleeping", body.GetProperty("sleep_state").GetString());
        Assert.True(StateOf("nap").IsSleeping);
        var backends = await Json.GetAsync(_admin, "/admin/backends");
        Assert.Equal("sleeping", backends.EnumerateArray().Single(b => b.GetProperty("instance").GetString() == "nap").GetProperty("sleep_state").GetString());

        var clock = Stopwatch.StartNew();
        var (response, _) = await Chat("nap");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 290, $"{clock.ElapsedMilliseconds} ms: the request should have waited for the wake");
        Assert.False(StateOf("nap").IsSleeping);
        Assert.Equal(1, StateOf("nap").Wakes);
        Assert.Equal(SleepState.Awake, _gateway.Instance("nap").Sleep);
    }

    [Fact]
    public async Task AdminSleep_Sglang_MemoryReleasedAndTheNextRequestResumesIt()
    {
        var (slept, body) = await Admin("sg", "sleep");
        Assert.Equal(HttpStatusCode.OK, slept.StatusCode);
        Assert.Equal("sleeping", body.GetProperty("sleep_state").GetString());
        Assert.True(StateOf("sg").IsSleeping);

        var clock = Stopwatch.StartNew();
        var (response, _) = await Chat("sg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 290, $"{clock.ElapsedMilliseconds} ms: the request should have waited for the resume");
        Assert.Equal(1, StateOf("sg").Wakes);
        Assert.Equal(SleepState.Awake, _gateway.Instance("sg").Sleep);
        // SGLang cannot say whether it sleeps: a state check leaves the gateway's own knowledge alone.
        await _gateway.Get<LlmHost.Gateway.Lifecycle.EngineSleeper>().SyncAsync(_gateway.Instance("sg"), CancellationToken.None);
        Assert.Equal(SleepState.Awake, _gateway.Instance("sg").Sleep);
    }

    [Fact]
    public async Task SleepingEngine_ManyRequestsAtOnce_OneWake()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin("crowd", "sleep")).Response.StatusCode);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Chat("crowd")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        Assert.Equal(1, StateOf("crowd").Wakes);
    }

    [Fact]
    public async Task IdleAfter_EngineSleepsWhenIdleAndHealthProbesKeepItReachable()
    {
        Assert.Equal(HttpStatusCode.OK, (await Chat("idle")).Response.StatusCode);

        Assert.True(await Eventually.TrueWithinAsync(() => StateOf("idle").IsSleeping, TimeSpan.FromSeconds(10)));
        await _gateway.DiscoverAsync();
        var instance = _gateway.Instance("idle");
        Assert.True(instance.Reachable);
        Assert.Equal(SleepState.Sleeping, instance.Sleep);
        Assert.Contains(GatewayHost.Logs.Lines, l => l.Contains("Engine idle put to sleep (level 1): idle for", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WakeFails_Clear503()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin("gone", "sleep")).Response.StatusCode);
        await _engines["gone"].DisposeAsync();

        var (response, body) = await Chat("gone");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("backend_unavailable", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("could not be woken", body.GetProperty("error").GetProperty("message").GetString());
        Assert.True(response.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task Sleep_BackendWithoutSleepMode_409AndEngineUntouched()
    {
        var (response, body) = await Admin("plain", "sleep");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("sleep.enabled: false", body.GetProperty("message").GetString());
        Assert.False(StateOf("plain").IsSleeping);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin("nobody", "sleep")).Response.StatusCode);
    }

    [Fact]
    public async Task EngineAsleepBeforeTheGatewayStarted_LearnedAndWokenOnDemand()
    {
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Instance("early").Sleep == SleepState.Sleeping, TimeSpan.FromSeconds(10)));

        Assert.Equal(HttpStatusCode.OK, (await Chat("early")).Response.StatusCode);
        Assert.False(StateOf("early").IsSleeping);
    }

    [Fact]
    public async Task SlowWake_503BackendWakingThenTheWakeFinishes()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin("slowwake", "sleep")).Response.StatusCode);

        var (response, body) = await Chat("slowwake");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("backend_waking", body.GetProperty("error").GetProperty("code").GetString());
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Instance("slowwake").Sleep == SleepState.Awake, TimeSpan.FromSeconds(10)));
        Assert.Equal(HttpStatusCode.OK, (await Chat("slowwake")).Response.StatusCode);
        Assert.Equal(1, StateOf("slowwake").Wakes);
    }

    [Fact]
    public async Task Sleep_RequestInFlight_409AndTheRequestFinishes()
    {
        var running = Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions",
            """{"model":"busy","messages":[{"role":"user","content":"x"}],"max_tokens":40,"ignore_eos":true}""");
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Instance("busy").Outstanding == 1, TimeSpan.FromSeconds(5)));

        var (response, body) = await Admin("busy", "sleep");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("in flight", body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, (await running).Response.StatusCode);
        Assert.False(StateOf("busy").IsSleeping);
        Assert.Equal(SleepState.Awake, _gateway.Instance("busy").Sleep);
    }

    [Fact]
    public async Task AdapterLoad_SleepingEngine_RefusedWithoutCallingIt()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin("asleep", "sleep")).Response.StatusCode);

        var (response, body) = await Json.PostAsync(_admin, "/admin/adapters", """{"name":"dreamy","path":"/a/dreamy","base_model":"asleep","register":false}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var result = Assert.Single(body.GetProperty("results").EnumerateArray());
        Assert.Equal(409, result.GetProperty("status").GetInt32());
        Assert.Contains("sleeps", result.GetProperty("message").GetString());
        Assert.Equal(0, _engines["asleep"].Get<ModelRegistry>().LoadRequests);
    }

    [Theory]
    [InlineData("/sleep?level=1")]
    [InlineData("/wake_up")]
    [InlineData("/collective_rpc")]
    [InlineData("/reset_prefix_cache")]
    [InlineData("/v1/load_lora_adapter")]
    [InlineData("/v1/unload_lora_adapter")]
    [InlineData("/v1/../sleep")]
    [InlineData("//sleep")]
    [InlineData("/v1/%2e%2e/sleep")]
    [InlineData("/SLEEP")]
    public async Task EngineAdminRoutes_NotReachableThroughTheGateway(string path)
    {
        var body = """{"model":"guarded","method":"reload_weights","lora_name":"x","lora_path":"/x"}""";
        var request = System.Text.Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {GatewayHost.UserSecret}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");

        var answer = await RawHttp.SendAsync(_gateway.Address, request, TimeSpan.FromSeconds(10));

        Assert.Equal(404, answer.Status);
        // The engine behind would have obeyed: it has the development routes and sleep mode.
        Assert.Equal(0, StateOf("guarded").Sleeps);
        Assert.Equal(0, StateOf("guarded").Wakes);
        Assert.Equal(0, _engines["guarded"].Get<ModelRegistry>().LoadRequests);
        Assert.Equal(HttpStatusCode.OK, (await _engines["guarded"].Client.GetAsync("/is_sleeping")).StatusCode);
    }
}
