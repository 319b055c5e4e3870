using System.IO.Compression;
using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Observability;

/// <summary>The JSON access log: one line per request with the documented fields, rolled, compressed and pruned.</summary>
[Trait("Category", "Integration")]
public sealed class AccessLogTests : IDisposable
{
    private static readonly string[] Fields =
        ["ts", "request_id", "method", "path", "status", "key_id", "model", "backend", "prompt_tokens", "completion_tokens", "ttft_ms", "duration_ms", "request_bytes", "response_bytes", "client_ip"];

    private readonly string _logs = Path.Combine(Path.GetTempPath(), $"llmhost-access-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_logs))
        {
            Directory.Delete(_logs, recursive: true);
        }
    }

    private string Config(SimulatorHost sim, string accessLog, string limits = "") => $$"""
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        {{limits}}
        backends:
          - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
        logging: { dir: "{{_logs}}", access_log: {{accessLog}} }
        """;

    private static List<JsonElement> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private static string ReadAll(string file)
    {
        if (!file.EndsWith(".gz", StringComparison.Ordinal))
        {
            return File.ReadAllText(file);
        }
        using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task FlowControl_QueuedRequest_LineCarriesPriorityQueueOutcomeAndWait()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "300");
        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 1MB }",
            "routing: { discovery_interval: 1h, health_check_interval: 1h, flow_control: { enabled: true, max_in_flight_per_instance: 1 } }")
            .Replace("routing: { discovery_interval: 1h, health_check_interval: 1h }\n", "", StringComparison.Ordinal)))
        {
            Task<HttpResponseMessage> Send() => gateway.Client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1,"priority":"batch"}"""));
            var first = Send();
            // The second arrives while the first holds the one slot (a loaded machine can start the first late).
            Assert.True(await Eventually.TrueWithinAsync(() => gateway.Instance("sim").Outstanding == 1, TimeSpan.FromSeconds(5)));
            var chats = new[] { first, Send() };
            Assert.All(await Task.WhenAll(chats), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }

        var lines = Lines(File.ReadAllText(Assert.Single(Directory.GetFiles(_logs, "access-*.json"))));
        Assert.Equal(["dispatched", "passed"], lines.Select(l => l.GetProperty("queue").GetString()).Order());
        Assert.All(lines, l => Assert.Equal("batch", l.GetProperty("priority").GetString()));
        Assert.InRange(lines.Max(l => l.GetProperty("queue_ms").GetDouble()), 200, 10_000);
    }

    [Fact]
    public async Task Requests_OneLineEachWithTheDocumentedFields()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 1MB }", "limits: { defaults: { qps: 0.001, burst: 1, concurrency: 0, tpm: 0 } }")))
        {
            using var user = gateway.ClientWith(GatewayHost.UserSecret);
            using var forwarded = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json.Body("""{"model":"m","messages":[{"role":"user","content":"a b"}],"max_tokens":3,"ignore_eos":true}"""),
            };
            forwarded.Headers.Add("X-Forwarded-For", "203.0.113.9, 198.51.100.7");
            Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(forwarded)).StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[]}"""))).StatusCode);
            using var anonymous = gateway.ClientWith(null);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m"}"""))).StatusCode);
            await gateway.Client.GetAsync("/health");
        }

        var file = Assert.Single(Directory.GetFiles(_logs, "access-*.json"));
        var text = File.ReadAllText(file);
        Assert.DoesNotContain(GatewayHost.UserSecret, text);
        var lines = Lines(text);
        Assert.Equal(3, lines.Count); // /health is not logged
        Assert.All(lines, line => Assert.All(Fields, field => Assert.True(line.TryGetProperty(field, out _), $"no {field} in {line}")));

        var answered = lines[0];
        Assert.Equal(200, answered.GetProperty("status").GetInt32());
        Assert.Equal("testuser", answered.GetProperty("key_id").GetString());
        Assert.Equal("m", answered.GetProperty("model").GetString());
        Assert.Equal("sim", answered.GetProperty("backend").GetString());
        Assert.Equal(9, answered.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, answered.GetProperty("completion_tokens").GetInt32());
        Assert.True(answered.GetProperty("ttft_ms").GetDouble() > 0);
        Assert.True(answered.GetProperty("response_bytes").GetInt64() > 100);
        // The connection came from loopback, a trusted proxy: the right-most forwarded address is the client.
        Assert.Equal("198.51.100.7", answered.GetProperty("client_ip").GetString());

        Assert.Equal(429, lines[1].GetProperty("status").GetInt32());
        Assert.Equal("requests", lines[1].GetProperty("rejected").GetString());
        Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("backend").ValueKind);
        Assert.Equal(401, lines[2].GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, lines[2].GetProperty("key_id").ValueKind);
        Assert.Equal("127.0.0.1", lines[2].GetProperty("client_ip").GetString());
    }

    [Fact]
    public async Task LogBodiesKey_ItsLinesKeepTheBodies_OtherKeysDoNot()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 1MB }")))
        {
            var (_, body) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"debugged","log_bodies":true}""");
            Assert.True(body.GetProperty("key").GetProperty("log_bodies").GetBoolean());
            using var debugged = gateway.ClientWith(body.GetProperty("secret").GetString());
            using var user = gateway.ClientWith(GatewayHost.UserSecret);
            const string Chat = """{"model":"m","messages":[{"role":"user","content":"find-me-in-the-log"}],"max_tokens":2,"ignore_eos":true}""";
            (await debugged.PostAsync("/v1/chat/completions", Json.Body(Chat))).EnsureSuccessStatusCode();
            (await user.PostAsync("/v1/chat/completions", Json.Body(Chat))).EnsureSuccessStatusCode();
        }

        var lines = Lines(File.ReadAllText(Assert.Single(Directory.GetFiles(_logs, "access-*.json"))))
            .Where(l => l.GetProperty("path").GetString() == "/v1/chat/completions").ToList();
        var withBodies = Assert.Single(lines, l => l.GetProperty("key_id").GetString() == "debugged");
        Assert.Contains("find-me-in-the-log", withBodies.GetProperty("request_body").GetString());
        Assert.Contains("chat.completion", withBodies.GetProperty("response_body").GetString());
        Assert.False(withBodies.GetProperty("response_body_truncated").GetBoolean());
        var plain = Assert.Single(lines, l => l.GetProperty("key_id").GetString() == "testuser");
        Assert.False(plain.TryGetProperty("request_body", out _));
        Assert.False(plain.TryGetProperty("response_body", out _));
    }

    [Fact]
    public async Task TinySizeLimit_RollsCompressesAndKeepsTheNewestFiles()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var thirtiethRequest = DateTimeOffset.MinValue;
        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 2KB, retained_files: 3, compress: true }")))
        {
            using var user = gateway.ClientWith(GatewayHost.UserSecret);
            for (var i = 0; i < 60; i++)
            {
                if (i == 30)
                {
                    thirtiethRequest = DateTimeOffset.UtcNow;
                }
                (await user.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"{{i}}"}],"max_tokens":1}"""))).EnsureSuccessStatusCode();
                if (i % 10 == 9)
                {
                    await Task.Delay(1200); // let the sink flush (every second) so that files roll during the run
                }
            }
            var stats = await Json.GetAsync(gateway.Client, "/admin/logs");
            Assert.InRange(stats.GetProperty("files").GetInt32(), 1, 4);
            Assert.True(stats.GetProperty("total_bytes").GetInt64() > 0);
        }

        var files = Directory.GetFiles(_logs, "access-*");
        Assert.True(files.Length == 3, string.Join(", ", files.Select(f => $"{Path.GetFileName(f)} ({new FileInfo(f).Length} B)")));
        Assert.Single(files, f => f.EndsWith(".json", StringComparison.Ordinal));
        Assert.Equal(2, files.Count(f => f.EndsWith(".json.gz", StringComparison.Ordinal)));
        var kept = files.SelectMany(f => Lines(ReadAll(f))).ToList();
        Assert.All(kept, line => Assert.All(Fields, field => Assert.True(line.TryGetProperty(field, out _))));
        // Three files of five or six lines each: only the newest requests are left, the oldest files were deleted.
        Assert.InRange(kept.Count, 2, 25);
        Assert.All(kept, line => Assert.True(line.GetProperty("ts").GetDateTimeOffset() > thirtiethRequest));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 2048 + 1024, $"{f} is {new FileInfo(f).Length} bytes"));
    }

    [Fact]
    public async Task Retention_ByAgeAndByTotalSize_DeletesTheOldestFiles()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        Directory.CreateDirectory(_logs);
        // Archives of this gateway's slot from earlier runs: one older than retained_days, one recent.
        var old = Path.Combine(_logs, "access-gateway.0-20200101.json.gz");
        var recent = Path.Combine(_logs, "access-gateway.0-20200102.json.gz");
        foreach (var (file, age) in ((string, TimeSpan)[])[(old, TimeSpan.FromDays(20)), (recent, TimeSpan.FromDays(1))])
        {
            await File.WriteAllBytesAsync(file, new byte[300]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - age);
        }

        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 2KB, max_total_size: 6KB, retained_files: 50, retained_days: 7, compress: false }")))
        {
            Assert.True(await Eventually.TrueWithinAsync(() => !File.Exists(old), TimeSpan.FromSeconds(5)), "the 20-day-old archive is still there");
            Assert.True(File.Exists(recent));
            using var user = gateway.ClientWith(GatewayHost.UserSecret);
            for (var i = 0; i < 80; i++)
            {
                (await user.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"{{i}}"}],"max_tokens":1}"""))).EnsureSuccessStatusCode();
                if (i % 10 == 9)
                {
                    await Task.Delay(1200); // let the sink flush, so that files roll during the run
                }
            }
        }

        var files = Directory.GetFiles(_logs, "access-*").Select(f => new FileInfo(f)).ToList();
        Assert.True(files.Sum(f => f.Length) <= 6 * 1024 + 2048, string.Join(", ", files.Select(f => $"{f.Name} ({f.Length} B)")));
        Assert.False(File.Exists(recent), "the total size bound deletes the oldest files first");
        Assert.True(files.Count >= 2);
    }

    [Fact]
    public async Task UnauthenticatedFlood_LogsAtMostTheLineBurst_CountsTheRest_KeyedRequestsStillLogged()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        const int Flood = LlmHost.Gateway.Observability.AccessLogging.LineRateLimiter.Burst + 2000;
        long dropped;
        await using (var gateway = await GatewayHost.StartAsync(Config(sim, "{ max_file_size: 100MB }")))
        {
            using var anonymous = gateway.ClientWith("sk-not-a-key");
            for (var i = 0; i < Flood; i++)
            {
                using var refused = await anonymous.GetAsync("/v1/models");
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }
            using var user = gateway.ClientWith(GatewayHost.UserSecret);
            Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/models")).StatusCode);
            dropped = gateway.Get<LlmHost.Gateway.Observability.AccessLogging.AccessLogWriter>().UnauthenticatedDropped;
        }

        var lines = Lines(string.Concat(Directory.GetFiles(_logs, "access-*").Select(ReadAll)));
        var unauthenticated = lines.Count(l => l.GetProperty("status").GetInt32() == 401);
        // The burst, plus what 200 a second refilled while the flood ran.
        Assert.InRange(unauthenticated, LlmHost.Gateway.Observability.AccessLogging.LineRateLimiter.Burst, Flood - 1);
        Assert.Equal(Flood, unauthenticated + dropped);
        Assert.Single(lines, l => l.GetProperty("status").GetInt32() == 200);
    }
}
