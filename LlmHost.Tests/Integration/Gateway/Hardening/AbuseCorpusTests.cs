using System.Text;
using System.Text.Json;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>
/// Over two hundred hostile requests against a standalone gateway process in front of a simulator: every one is
/// answered with a 4xx — in OpenAI's shape, except the protocol errors Kestrel answers itself before any code of the
/// gateway runs — never a 5xx, never a hang; afterwards the process's memory is bounded and its access log still
/// writes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AbuseCorpusTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string User = GatewayHost.UserSecret;
    private SimulatorHost _sim = null!;
    private GatewayProcess _gateway = null!;

    /// <summary>One hostile request: its bytes, and whether Kestrel may answer it bare (or close) at the protocol level.</summary>
    private sealed record Case(string Name, byte[] Request, bool Protocol = false, Func<System.Net.Sockets.NetworkStream, Task>? Then = null)
    {
        /// <summary>The one 5xx allowed: Kestrel's 505 for an HTTP version it does not speak, before the gateway runs.</summary>
        public bool VersionNotSupported { get; init; }
    }

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--lora-paths", "adapter=/a");
        _gateway = await GatewayProcess.StartAsync($$"""
            gateway: { max_request_body_mb: 16 }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 16, tpm: 1000000 } }
            backends:
              - { name: sim, engine: sglang, mode: external, model: m, url: "{{_sim.Address}}", max_model_len: 4096 }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
        Directory.Delete(_gateway.Directory, recursive: true);
    }

    private static byte[] Chat(string body, string? secret = User, string headers = "") =>
        RawHttp.Request("POST", "/v1/chat/completions", secret, Encoding.UTF8.GetBytes(body), headers);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static IEnumerable<Case> Corpus()
    {
        const string Valid = """{"model":"m","messages":[{"role":"user","content":"hello there"}],"max_tokens":4,"stream":false}""";
        // Malformed JSON, and a valid body cut at every tenth byte.
        foreach (var body in (string[])["", " ", "{", "}", "[]", "null", "true", "42", "\"m\"", "{\"model\"}", "{\"model\":}", "{\"model\":\"m\",}",
                     "{\"model\":\"m\"}}", "{\"model\":\"m\"} {}", "{'model':'m'}", "{model:\"m\"}", "{\"model\":\"m\" \"n\":1}", "{\"model\":\"m\",\"n\":NaN}",
                     "{\"model\":\"m\",\"n\":Infinity}", "{\"model\":\"m\"/*c*/}", "{\"model\":\"m\",\"x\":01}", "{\"model\":\"m\",\"x\":.5}", "{\"model\":\"m\",\"x\":\"\t\"}",
                     "{\"model\":\"m\",\"x\":\"\\q\"}", "{\"model\":\"m\",\"x\":\"\\u12\"}", "\u00ef\u00bb\u00bf{\"model\":\"m\"}", "{\"model\":\"m\",\"messages\":[}", "{\"model\":\"m\"\0}"])
        {
            foreach (var route in (string[])["/v1/chat/completions", "/v1/completions", "/v1/embeddings"])
            {
                yield return new Case($"malformed {body} on {route}", RawHttp.Request("POST", route, User, Bytes(body)));
            }
        }
        for (var cut = 1; cut < Valid.Length - 1; cut += 10)
        {
            yield return new Case($"truncated at {cut}", Chat(Valid[..cut]));
        }
        // Mis-encoded text.
        foreach (var (at, bad) in ((string, byte[])[])[("model", [0xFF]), ("model", [0xC3]), ("model", [0xED, 0xA0, 0x80]), ("content", [0xF8, 0x88, 0x80, 0x80, 0x80]),
                     ("content", [0xC0, 0xAF]), ("content", [0xE0, 0x80, 0xAF]), ("role", [0xFE]), ("key", [0x80])])
        {
            var text = Bytes(Valid.Replace("\"hello", "\"hel@lo", StringComparison.Ordinal).Replace("\"m\"", "\"m@\"", StringComparison.Ordinal).Replace("\"user\"", "\"us@er\"", StringComparison.Ordinal));
            var marker = at switch { "model" => "m@", "content" => "hel@", "role" => "us@", _ => "m@" };
            var index = Encoding.UTF8.GetString(text).IndexOf(marker, StringComparison.Ordinal) + marker.Length - 1;
            var body = text[..index].Concat(bad).Concat(text[(index + 1)..]).ToArray();
            if (at == "key")
            {
                body = Bytes("{\"model\":\"m\",\"x@\":1}");
                body[body.Length - 6] = 0x80;
            }
            yield return new Case($"bad UTF-8 in {at} ({Convert.ToHexString(bad)})", RawHttp.Request("POST", "/v1/chat/completions", User, body));
        }
        yield return new Case("UTF-16 body", RawHttp.Request("POST", "/v1/chat/completions", User, Encoding.Unicode.GetBytes(Valid)));
        foreach (var escape in (string[])["\\ud800", "\\udfff", "\\ud83d", "a\\ud800b", "\\ud800\\ud800", "\\udc00\\ud800"])
        {
            yield return new Case($"lone surrogate {escape} in model", Chat($$"""{"model":"{{escape}}","messages":[]}"""));
            yield return new Case($"lone surrogate {escape} in content", Chat($$"""{"model":"m","messages":[{"role":"user","content":"{{escape}}"}]}"""));
        }
        // Wrong types.
        foreach (var (field, value) in ((string, string)[])[("model", "1"), ("model", "[\"m\"]"), ("model", "{\"id\":\"m\"}"), ("model", "null"), ("model", "true"), ("model", "\"\""),
                     ("stream", "\"true\""), ("stream", "1"), ("stream", "{}"), ("max_tokens", "\"1\""), ("max_tokens", "1.5"), ("max_tokens", "1e30"), ("max_tokens", "[]"),
                     ("max_completion_tokens", "true"), ("n", "\"2\""), ("n", "1e10"), ("n", "{}"), ("best_of", "\"x\""), ("stream_options", "[]"), ("stream_options", "\"x\""),
                     ("stream_options", "1"), ("stream_options", "{\"include_usage\":\"yes\"}"), ("lora_path", "1"), ("lora_path", "[\"adapter\"]"), ("lora_path", "{}")])
        {
            var body = field == "model" ? $$"""{"model":{{value}},"messages":[]}""" : $$"""{"model":"m","messages":[],"{{field}}":{{value}}}""";
            yield return new Case($"{field} as {value}", Chat(body));
        }
        // Huge and deeply nested bodies.
        yield return new Case("nested 1000 arrays", Chat("{\"model\":\"m\",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}"));
        yield return new Case("nested 200 objects", Chat("{\"model\":\"m\",\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200) + "}"));
        yield return new Case("17 MiB body", Chat("{\"model\":\"m\",\"pad\":\"" + new string('x', 17 << 20) + "\"}"), Protocol: true);
        yield return new Case("announced 17 MiB", RawHttp.Request("POST", "/v1/chat/completions", User, Bytes("{}"), contentLength: 17 << 20), Protocol: true);
        yield return new Case("15 MiB of one word, unknown model", Chat("{\"model\":\"nobody\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('w', 15 << 20) + "\"}]}"));
        // Estimated (in bounded time) at millions of tokens: over the key's million a minute.
        yield return new Case("15 MiB word over the token budget", Chat("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('w', 15 << 20) + "\"}]}"));
        yield return new Case("400,000 messages", Chat("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[" + string.Join(",", Enumerable.Repeat("{\"role\":\"user\",\"content\":\"a\"}", 400_000)) + "]}"));
        yield return new Case("1,000,000 prompts", RawHttp.Request("POST", "/v1/completions", User, Bytes("{\"model\":\"m\",\"max_tokens\":1000,\"prompt\":[" + string.Join(",", Enumerable.Repeat("\"a\"", 1_000_000)) + "]}")));
        yield return new Case("model of 5 MB", Chat("{\"model\":\"" + new string('m', 5 << 20) + "\"}"));
        // Batch prompts.
        foreach (var prompt in (string[])["[[[[1]]]]", "[[],[]]", "[1e400]", "[\"a\",1,[2],{\"x\":1}]", "{}", "[null]"])
        {
            yield return new Case($"prompt {prompt}", RawHttp.Request("POST", "/v1/completions", User,
                Bytes($$"""{"model":"nobody","max_tokens":100000000,"prompt":{{prompt}}}""")));
        }
        // Two hundred thousand prompts that may each fill the context: far over the key's tokens per minute.
        yield return new Case("200,000 token-id prompts", RawHttp.Request("POST", "/v1/completions", User,
            Bytes("{\"model\":\"m\",\"max_tokens\":100000000,\"prompt\":[" + string.Join(",", Enumerable.Repeat("[1,2,3]", 200_000)) + "]}")));
        // Engine fields and duplicates.
        foreach (var field in EngineProfile.AllOperatorOnlyFields)
        {
            yield return new Case($"operator field {field}", Chat($$"""{"model":"m","messages":[],"{{field}}":1}"""));
        }
        foreach (var body in (string[])["""{"model":"m","lora_path":"nope"}""", """{"model":"nobody","lora_path":"adapter"}""", """{"model":"m","lora_path":"\ud800"}""",
                     """{"model":"m","model":"m"}""", """{"model":"m","stream":false,"stream":true}""", """{"model":"m","lora_path":"adapter","lora_path":"adapter"}""",
                     """{"model":"m","n":1,"n":2}""", """{"model":"m","mod\u0065l":"nobody"}"""])
        {
            yield return new Case($"engine field {body}", Chat(body));
        }
        // Headers.
        yield return new Case("header of 100 KB", Chat(Valid, headers: $"X-Big: {new string('h', 100_000)}\r\n"), Protocol: true);
        yield return new Case("500 headers", Chat(Valid, headers: string.Concat(Enumerable.Range(0, 500).Select(i => $"X-H{i}: v\r\n"))), Protocol: true);
        yield return new Case("two Authorization headers", Chat(Valid, headers: $"Authorization: Bearer {GatewayHost.AdminSecret}\r\n"));
        yield return new Case("key of 10 KB", Chat(Valid, secret: new string('k', 10_000)));
        yield return new Case("no key", Chat(Valid, secret: null));
        yield return new Case("empty bearer", Chat(Valid, secret: ""));
        yield return new Case("basic auth", Chat(Valid, secret: null, headers: "Authorization: Basic dXNlcjpwYXNz\r\n"));
        yield return new Case("x-api-key differs", Chat(Valid, headers: $"x-api-key: {GatewayHost.AdminSecret}\r\n"));
        yield return new Case("x-api-key twice", Chat(Valid, secret: null, headers: $"x-api-key: {User}\r\nx-api-key: {User}\r\n"));
        yield return new Case("wrong key", Chat(Valid, secret: "sk-llmhost-testuser-wrong"));
        yield return new Case("negative Content-Length", Bytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {User}\r\nContent-Length: -5\r\n\r\n"), Protocol: true);
        yield return new Case("Content-Length and chunked", Bytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {User}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), Protocol: true);
        yield return new Case("bad chunk size", Bytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {User}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"), Protocol: true);
        // The same in one write, end of the stream included: found as soon as the body is first looked at, and answered.
        yield return new Case("bad chunk size, all at once", Bytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {User}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"));
        // And with the client's side closed at once: Kestrel takes a client's FIN for the end of the connection (it
        // aborts the response), so the answer may or may not get out first — but nothing hangs and nothing fails.
        yield return new Case("bad chunk size, all at once, then closed", Bytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {User}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"),
            Protocol: true, Then: stream => { stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send); return Task.CompletedTask; });
        yield return new Case("body shorter than announced, closed at once", RawHttp.Request("POST", "/v1/chat/completions", User, Bytes("{\"model\""), contentLength: 1000),
            Protocol: true, Then: stream => { stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send); return Task.CompletedTask; });
        yield return new Case("body shorter than announced", RawHttp.Request("POST", "/v1/chat/completions", User, Bytes("{\"model\""), contentLength: 1000), Protocol: true, Then: async stream => { await Task.Delay(200); stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send); });
        yield return new Case("garbage request line", Bytes("GARBAGE\r\n\r\n"), Protocol: true);
        yield return new Case("HTTP/9.9", Bytes("GET /v1/models HTTP/9.9\r\nHost: x\r\n\r\n"), Protocol: true) { VersionNotSupported = true };
        yield return new Case("no Host", Bytes($"GET /v1/models HTTP/1.1\r\nAuthorization: Bearer {User}\r\n\r\n"), Protocol: true);
        yield return new Case("header without colon", Bytes($"GET /v1/models HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n"), Protocol: true);
        // Paths.
        foreach (var path in (string[])["/v1/../admin/keys", "/v1/%2e%2e/admin/keys", "/v1/%2E%2E/%61dmin/keys", "/v1//chat//completions", "/v1/chat/completions/extra",
                     "/v1/chat%2Fcompletions", "/v1/models/%00", "/v1/models/..%2F..%2Fadmin%2Fkeys", "/admin/keys", "/admin/../admin/keys", "/v1/" + new string('p', 7000),
                     "/v1/models/" + new string('x', 5000), "/v1/nothing", "/v2/chat/completions", "/v1/chat/completions%00", "/v1/%ff%fe", "/metrics/../admin/keys", "/v1/embeddings/x"])
        {
            yield return new Case($"path {path[..Math.Min(40, path.Length)]}", RawHttp.Request(path.StartsWith("/v1/models", StringComparison.Ordinal) || path.StartsWith("/admin", StringComparison.Ordinal) ? "GET" : "POST",
                path, User, Bytes(Valid)), Protocol: path.Contains("%00", StringComparison.Ordinal) || path.Contains("%ff", StringComparison.Ordinal) || path.Length > 4000);
        }
        yield return new Case("absolute-form target", RawHttp.Request("POST", "http://evil.example/v1/nothing", User, Bytes(Valid)), Protocol: true);
        yield return new Case("asterisk target", Bytes("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), Protocol: true);
        // Methods.
        foreach (var method in (string[])["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "HEAD"])
        {
            yield return new Case($"{method} on a POST route", RawHttp.Request(method, "/v1/chat/completions", User, method is "GET" or "HEAD" or "TRACE" ? null : Bytes(Valid)),
                Protocol: method is "HEAD" or "TRACE");
        }
        foreach (var (method, path) in ((string, string)[])[("POST", "/v1/models"), ("DELETE", "/v1/models/m"), ("PUT", "/admin/keys"), ("POST", "/v1/models/m")])
        {
            yield return new Case($"{method} {path}", RawHttp.Request(method, path, User, Bytes("{}")));
        }
        // Admin routes with a user key, and bad admin bodies with the admin key.
        yield return new Case("admin with a user key", RawHttp.Request("POST", "/admin/keys", User, Bytes("{\"id\":\"x\"}")));
        foreach (var body in (string[])["{", "[]", "{\"id\":\"Bad Id\"}", "{\"id\":\"x\",\"limits\":{\"qps\":1e-13}}", "{\"id\":\"x\",\"role\":\"root\"}", "{\"id\":\"" + new string('x', 100_000) + "\"}",
                     "{\"id\":\"y\",\"name\":\"\\ud800\"}"])
        {
            yield return new Case($"admin body {body[..Math.Min(30, body.Length)]}", RawHttp.Request("POST", "/admin/keys", GatewayHost.AdminSecret, Bytes(body)));
        }
        yield return new Case("admin rotate overlap 1e300", RawHttp.Request("POST", "/admin/keys/testuser/rotate", GatewayHost.AdminSecret, Bytes("{\"overlap_seconds\":1e300}")));
        // Slow bodies: a byte every 100 ms, far below gateway.server.min_request_body_rate.
        yield return new Case("slow body", RawHttp.Request("POST", "/v1/chat/completions", User, Bytes("{"), contentLength: 100_000), Protocol: true,
            Then: async stream =>
            {
                for (var i = 0; i < 120 && stream.Socket.Connected; i++)
                {
                    await stream.WriteAsync(Bytes(" "));
                    await Task.Delay(100);
                }
            });
    }

    [Fact]
    public async Task Corpus_EveryAnswerIsA4xx_NothingHangs_AndTheGatewayHolds()
    {
        var corpus = Corpus().ToList();
        Assert.True(corpus.Count >= 200, $"only {corpus.Count} cases");
        var baseline = _gateway.Process.ResidentBytes();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var gate = new SemaphoreSlim(8);

        await Task.WhenAll(corpus.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                var answer = await RawHttp.SendAsync(_gateway.Address, c.Request, TimeSpan.FromSeconds(60), c.Then);
                statuses.Add(answer.Status);
                if (Problem(c, answer) is { } problem)
                {
                    failures.Add($"{c.Name}: {problem}");
                }
            }
            catch (OperationCanceledException)
            {
                failures.Add($"{c.Name}: no answer within 60 s");
            }
            finally
            {
                gate.Release();
            }
        }));

        output.WriteLine($"{corpus.Count} cases: " + string.Join(", ", statuses.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "closed" : g.Key)} ×{g.Count()}")));
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Order()));
        Assert.False(_gateway.Process.HasExited);
        // Bodies of up to 16 MiB were read, estimated and refused: the memory they took is bounded, not kept.
        Assert.True(_gateway.Process.ResidentBytes() < baseline + 400L * 1024 * 1024, $"RSS {_gateway.Process.ResidentBytes() >> 20} MiB, was {baseline >> 20} MiB");
        using var user = _gateway.ClientWith(User);
        var after = DateTime.UtcNow;
        var ok = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[{"role":"user","content":"still there?"}],"max_tokens":2}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.True(await Eventually.TrueWithinAsync(() => LastLogLineAfter(after), TimeSpan.FromSeconds(5)), "the access log stopped");
    }

    // Null when the answer is what a hostile request must get.
    private static string? Problem(Case c, RawHttp.Answer answer)
    {
        if (answer.Closed)
        {
            return c.Protocol ? null : "connection closed without an answer";
        }
        if (answer.Status == 505 && c.VersionNotSupported)
        {
            return null;
        }
        if (answer.Status is < 400 or >= 500)
        {
            return $"status {answer.Status}: {answer.Body[..Math.Min(200, answer.Body.Length)]}";
        }
        if (answer.Body.Length == 0)
        {
            return c.Protocol ? null : $"status {answer.Status} without a body";
        }
        try
        {
            var error = JsonDocument.Parse(answer.Body).RootElement.GetProperty("error");
            return error.GetProperty("message").GetString() is { Length: > 0 and <= 2000 } && error.TryGetProperty("type", out _)
                ? null
                : "error body without a bounded message and a type";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"status {answer.Status}, body not in OpenAI's shape: {answer.Body[..Math.Min(200, answer.Body.Length)]}";
        }
    }

    private bool LastLogLineAfter(DateTime time)
    {
        var file = Directory.GetFiles(_gateway.LogsPath, "access-*.json").OrderBy(File.GetLastWriteTimeUtc).LastOrDefault();
        if (file is null)
        {
            return false;
        }
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var last = new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return last is not null && JsonDocument.Parse(last).RootElement.GetProperty("ts").GetDateTime().ToUniversalTime() >= time.AddSeconds(-1)
            && JsonDocument.Parse(last).RootElement.GetProperty("status").GetInt32() == 200;
    }
}
