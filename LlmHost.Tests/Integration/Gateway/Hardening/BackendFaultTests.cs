using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>
/// Backends that fail the way real ones do: killed in the middle of a load, answering bytes that are not HTTP,
/// cutting a body short, closing the connection, falling silent. Clients get clean errors in OpenAI's shape (or, once
/// an answer has begun, a stream that ends with an error event or a connection they can tell was cut), and the
/// gateway holds no lease afterwards.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BackendFaultTests
{
    private static async Task<DotnetProcess> StartSimulatorAsync(int port, params string[] args)
    {
        var simulator = DotnetProcess.Start("LlmHost.Simulator", ["--engine", "vllm", "--model", "m", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. args]);
        await simulator.WaitUntilReadyAsync($"http://127.0.0.1:{port}/health");
        return simulator;
    }

    [Fact]
    public async Task ReplicaKilledDuringLoad_OthersServe_StreamsEndWithAnErrorEvent_AndItIsUsedAgainWhenBack()
    {
        int portA = FreePort.Next(), portB = FreePort.Next();
        await using var a = await StartSimulatorAsync(portA, "--itl-ms", "25", "--output-len", "40");
        await using var b = await StartSimulatorAsync(portB, "--itl-ms", "25", "--output-len", "40");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 300ms, ejection_time: 1s, model_backend_mapping: { m: [a, b] } }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 64, tpm: 0 } }
            backends:
              - { name: a, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:{{portA}}" }
              - { name: b, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:{{portB}}" }
            """);
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        var killedAt = DateTime.MaxValue;
        var results = new System.Collections.Concurrent.ConcurrentBag<(DateTime Start, HttpStatusCode Status, string Body)>();

        async Task ClientAsync(DateTime until)
        {
            while (DateTime.UtcNow < until)
            {
                var start = DateTime.UtcNow;
                using var response = await user.PostAsync("/v1/chat/completions",
                    Json.Body("""{"model":"m","messages":[{"role":"user","content":"go"}],"max_tokens":40,"stream":true}"""));
                results.Add((start, response.StatusCode, await response.Content.ReadAsStringAsync()));
            }
        }

        var load = Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ClientAsync(DateTime.UtcNow.AddSeconds(5))));
        await Task.Delay(1500);
        killedAt = DateTime.UtcNow;
        a.Kill();
        await load;

        var cut = results.Where(r => r.Status == HttpStatusCode.OK && r.Body.Contains("\"code\":\"backend_error\"", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(cut);
        Assert.All(cut, r => Assert.EndsWith("data: [DONE]\n\n", r.Body, StringComparison.Ordinal));
        // Requests that started after the kill (and the first probe that noticed it) were all served whole.
        var later = results.Where(r => r.Start > killedAt.AddMilliseconds(200)).ToList();
        Assert.NotEmpty(later);
        Assert.All(later, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.Status);
            Assert.DoesNotContain("backend_error", r.Body, StringComparison.Ordinal);
            Assert.EndsWith("data: [DONE]\n\n", r.Body, StringComparison.Ordinal);
        });

        a.Restart();
        await a.WaitUntilReadyAsync($"http://127.0.0.1:{portA}/health");
        Assert.True(await Eventually.TrueWithinAsync(async () =>
        {
            (await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1}"""))).EnsureSuccessStatusCode();
            var metrics = await new HttpClient().GetStringAsync($"http://127.0.0.1:{portA}/metrics");
            return metrics.Split('\n').Any(l => l.StartsWith("vllm:request_success_total", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal)
                && !l.EndsWith(" 0.0", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(10)), "the restarted replica gets no requests");
        await AssertNothingHeldAsync(gateway);
    }

    /// <summary>A TCP server that answers every connection as it is told (after reading the request head).</summary>
    private sealed class RawEngine : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public RawEngine(Func<NetworkStream, Task> answer)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    _ = Task.Run(async () =>
                    {
                        using (client)
                        {
                            var stream = client.GetStream();
                            var buffer = new byte[64 * 1024];
                            try
                            {
                                _ = await stream.ReadAsync(buffer, _stop.Token); // the request head: its content does not matter
                                await answer(stream);
                            }
                            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                            {
                            }
                        }
                    });
                }
            });
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
        }
    }

    public static TheoryData<string> Faults() => ["not http", "close at once", "html 500", "silent"];

    private static Func<NetworkStream, Task> Answer(string fault) => fault switch
    {
        "not http" => stream => stream.WriteAsync(Encoding.ASCII.GetBytes("hello, I am not HTTP\r\n\r\n")).AsTask(),
        "close at once" => _ => Task.CompletedTask,
        "html 500" => stream => stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 44\r\nServer: gunicorn\r\n\r\n<html><body>Internal Server Error</body></html>"[..^4])).AsTask(),
        _ => stream => Task.Delay(TimeSpan.FromSeconds(10)),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task BrokenBackend_BeforeAnswering_GetsAnOpenAIError(string fault)
    {
        await using var engine = new RawEngine(Answer(fault));
        await using var gateway = await GatewayHost.StartAsync($$"""
            gateway: { activity_timeout: 1s }
            routing: { discovery_interval: 1h, health_check_interval: 1h, model_backend_mapping: { m: [raw] } }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 4, tpm: 100000 } }
            backends:
              - { name: raw, engine: vllm, mode: external, model: m, url: "{{engine.Url}}" }
            """);
        gateway.Instance("raw").Reachable = true;
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        var (response, body) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":5}""");

        Assert.True((int)response.StatusCode is 500 or 502 or 504, $"{(int)response.StatusCode}");
        var error = body.GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("gunicorn", response.Headers.Server.ToString());
        await AssertNothingHeldAsync(gateway);
    }

    [Fact]
    public async Task BackendCuttingItsBody_TheClientCanTellAndNothingIsHeld()
    {
        const string Json200 = """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"a b c d e f g h""";
        await using var engine = new RawEngine(async stream =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Json200.Length + 500}\r\n\r\n{Json200}"));
            await stream.FlushAsync();
        });
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h, model_backend_mapping: { m: [raw] } }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 4, tpm: 100000 } }
            backends:
              - { name: raw, engine: vllm, mode: external, model: m, url: "{{engine.Url}}" }
            """);
        gateway.Instance("raw").Reachable = true;
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        string? whole = null;
        var failed = false;
        try
        {
            using var response = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":5}"""));
            whole = await response.Content.ReadAsStringAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            failed = true;
        }

        // Either the read failed, or what arrived is not a complete answer: never a silent, valid-looking 200.
        Assert.True(failed || whole is null || !IsJson(whole), whole);
        await AssertNothingHeldAsync(gateway);
    }

    private static bool IsJson(string text)
    {
        try
        {
            JsonDocument.Parse(text).Dispose();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task AssertNothingHeldAsync(GatewayHost gateway) =>
        Assert.True(await Eventually.TrueWithinAsync(async () =>
        {
            var limits = await Json.GetAsync(gateway.Client, "/admin/limits");
            return limits.GetProperty("keys").EnumerateArray().All(k => k.GetProperty("active_leases").GetInt32() == 0 && k.GetProperty("open_reservations").GetInt32() == 0)
                && gateway.Get<LlmHost.Gateway.RateLimiting.RequestBodyBudget>().Total == 0;
        }, TimeSpan.FromSeconds(5)), "a lease, a reservation or body memory was held after the request ended");
}
