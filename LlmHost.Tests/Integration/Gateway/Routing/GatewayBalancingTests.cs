using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Routing;

/// <summary>Balancing across two simulators, skipping a dead one, retrying a refused connection once, ejection.</summary>
[Trait("Category", "Integration")]
public class GatewayBalancingTests
{
    private static string Config(params (string Name, string Url)[] backends) =>
        "routing:\n  discovery_interval: 1h\n  health_check_interval: 1h\n  model_backend_mapping:\n    m: [" + string.Join(", ", backends.Select(b => b.Name)) + "]\nbackends:\n"
        + string.Concat(backends.Select(b => $"  - {{ name: {b.Name}, engine: vllm, mode: external, model: m, url: \"{b.Url}\" }}\n"));

    private static Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> Chat(GatewayHost gateway) =>
        Json.PostAsync(gateway.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":1}""");

    private static string ClosedPortUrl()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    [Fact]
    public async Task LeastOutstanding_SpreadsConcurrentLoadOverBothSimulators()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "150");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "150");
        await using var gateway = await GatewayHost.StartAsync(Config(("a", a.Address.ToString()), ("b", b.Address.ToString())));

        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Chat(gateway)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        Assert.Equal(40, a.RequestsServed + b.RequestsServed);
        Assert.InRange(a.RequestsServed, 12, 28);
    }

    [Fact]
    public async Task RoundRobinPolicy_SequentialRequests_AlternateBetweenSimulators()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(
            Config(("a", a.Address.ToString()), ("b", b.Address.ToString())).Replace("routing:\n", "routing:\n  policy: round_robin\n"));

        var backends = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat(gateway)).Response.StatusCode);
            backends.Add(gateway.Observer.Measurements.Last().Backend!);
        }

        Assert.Equal((5, 5), (a.RequestsServed, b.RequestsServed));
        Assert.All(Enumerable.Range(1, 9), i => Assert.NotEqual(backends[i - 1], backends[i]));
    }

    [Fact]
    public async Task SessionAffinity_SameSessionSameInstanceUnderRoundRobin_OthersStillRotate()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(("a", a.Address.ToString()), ("b", b.Address.ToString()))
            .Replace("routing:\n", "routing:\n  policy: round_robin\n  session_affinity: { header: x-session-id, user_field: true }\n"));
        async Task<string> Send(string? header, string? user)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json.Body(user is null ? """{"model":"m","messages":[],"max_tokens":1}""" : $$"""{"model":"m","messages":[],"max_tokens":1,"user":"{{user}}"}"""),
            };
            if (header is not null)
            {
                request.Headers.Add("x-session-id", header);
            }
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return gateway.Observer.Measurements.Last().Backend!;
        }

        var byHeader = new List<string>();
        var byUser = new List<string>();
        var unnamed = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            byHeader.Add(await Send("conversation-1", null));
            byUser.Add(await Send(null, "user-7"));
            unnamed.Add(await Send(null, null));
        }

        Assert.Single(byHeader.Distinct());
        Assert.Single(byUser.Distinct());
        Assert.Equal(2, unnamed.Distinct().Count());
    }

    [Fact]
    public async Task PrefixAwarePolicy_EachTenantsTurnsLandWhereItsPromptWent()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(
            Config(("a", a.Address.ToString()), ("b", b.Address.ToString())).Replace("routing:\n", "routing:\n  policy: prefix_aware\n"));
        var client = gateway.Client;

        var landed = new Dictionary<int, HashSet<string>>();
        for (var turn = 0; turn < 4; turn++)
        {
            for (var tenant = 0; tenant < 6; tenant++)
            {
                // Each tenant's long system prompt, then the turns so far: every request shares the tenant's prefix.
                var system = string.Concat(Enumerable.Repeat($"tenant {tenant} rules. ", 100));
                var history = string.Concat(Enumerable.Range(0, turn).Select(t => $$""",{"role":"user","content":"question {{t}}"},{"role":"assistant","content":"answer {{t}}"}"""));
                var (response, _) = await Json.PostAsync(client, "/v1/chat/completions",
                    $$"""{"model":"m","messages":[{"role":"system","content":"{{system}}"}{{history}},{"role":"user","content":"question {{turn}}"}],"max_tokens":1}""");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                (landed.TryGetValue(tenant, out var set) ? set : landed[tenant] = []).Add(gateway.Observer.Measurements.Last().Backend!);
            }
        }

        Assert.All(landed.Values, instances => Assert.Single(instances));
        // Sequential requests leave both instances idle: new tenants go to the least loaded, so both get some.
        Assert.Equal(2, landed.Values.Select(v => v.Single()).Distinct().Count());
    }

    [Fact]
    public async Task LoadAwarePolicy_EngineLoadReadAndAnEngineWithoutMetricsStaysHealthy()
    {
        await using var vllm = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        // SGLang serves /metrics only with --enable-metrics: its reads fail with 404.
        await using var sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { policy: load_aware, discovery_interval: 1h, health_check_interval: 200ms, load: { scrape_interval: 100ms } }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{vllm.Address}}" }
              - { name: s, engine: sglang, mode: external, model: m, url: "{{sglang.Address}}" }
            """);

        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Instance("v").Load is not null, TimeSpan.FromSeconds(10)));
        await Task.Delay(1500); // many failed reads of s, many health probes

        Assert.Null(gateway.Instance("s").Load);
        Assert.True(gateway.Instance("s").Reachable);
        Assert.False(gateway.Get<LlmHost.Gateway.ControlPlane.EngineControl>().IsCircuitOpen("s"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Chat(gateway)));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
        Assert.True(sglang.RequestsServed > 0, "the instance without metrics still takes requests");
    }

    [Fact]
    public async Task EnginesStartingAfterTheGateway_RoutableWithinAFewDiscoveryRounds()
    {
        // Both engines refuse connections while the gateway's first discovery and health rounds run together (their
        // first calls race to build each instance's pipelines); discovery must go on and find them once they listen.
        var (urlA, urlB) = (ClosedPortUrl(), ClosedPortUrl());
        await using var gateway = await GatewayHost.StartAsync(
            $"routing:\n  discovery_interval: 300ms\n  health_check_interval: 300ms\nbackends:\n"
            + $"  - {{ name: a, engine: vllm, mode: external, model: m, url: \"{urlA}\" }}\n"
            + $"  - {{ name: b, engine: vllm, mode: external, model: m, url: \"{urlB}\" }}\n");
        Assert.Equal(HttpStatusCode.NotFound, (await Chat(gateway)).Response.StatusCode);

        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--port", new Uri(urlA).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--port", new Uri(urlB).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // The breakers opened on the refusals let a call through again after their break (10 s).
        Assert.True(await Eventually.TrueWithinAsync(async () => (await Chat(gateway)).Response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(25)));
        Assert.DoesNotContain(GatewayHost.Logs.Lines, line => line.Contains("round failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KilledSimulator_IsSkipped_RequestsKeepSucceeding()
    {
        await using var alive = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var dying = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(("alive", alive.Address.ToString()), ("dying", dying.Address.ToString())));

        await dying.DisposeAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await Chat(gateway)).Response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(30, alive.RequestsServed);
        Assert.True(gateway.Instance("dying").Ejected, "passive health should have ejected the dead instance");
    }

    [Fact]
    public async Task ConnectionRefused_RetriedOnTheOtherBackendExactlyOnce()
    {
        await using var alive = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(("dead", ClosedPortUrl()), ("alive", alive.Address.ToString())));
        // The first discovery round marked the dead instance unreachable; pretend it looked fine, and keep it busy-free.
        var dead = gateway.Instance("dead");
        dead.Reachable = true;

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Chat(gateway)).Response.StatusCode);
        }

        var measurements = gateway.Observer.Measurements.ToList();
        // Every request reached the live backend exactly once, whether or not the dead one was tried first.
        Assert.Equal(40, alive.RequestsServed);
        Assert.All(measurements, m => Assert.Equal("alive", m.Backend));
        Assert.All(measurements, m => Assert.InRange(m.Attempts, 1, 2));
        Assert.InRange(measurements.Count(m => m.Attempts == 2), 1, 39);
        // Repeated refusals ejected the dead instance, so later requests no longer try it.
        Assert.True(dead.Ejected);
    }

    [Fact]
    public async Task OnlyBackendRefuses_Is502AfterOneAttempt()
    {
        await using var gateway = await GatewayHost.StartAsync(Config(("dead", ClosedPortUrl())));
        gateway.Instance("dead").Reachable = true;

        var (response, body) = await Chat(gateway);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("backend_error", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("server_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, gateway.Observer.Last.Attempts);
    }
}
