using System.Net;
using System.Text;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>
/// Refusals are neither free nor unbounded: they spend the key's requests, every client string in an answer or a log
/// line is cut to 256 characters, bad text is a 400 and not a 500, and a batch reserves what it may really use.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RefusalTests : IAsyncLifetime
{
    private readonly string _logs = Path.Combine(Path.GetTempPath(), $"llmhost-refusals-{Guid.NewGuid():N}");
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "1500");
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 5000 } }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{_sim.Address}}", max_model_len: 4096 }
            logging: { dir: "{{_logs}}" }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
        Directory.Delete(_logs, recursive: true);
    }

    private async Task<HttpClient> KeyAsync(string id, string limits = "")
    {
        var (response, created) = await Json.PostAsync(_gateway.Client, "/admin/keys", $$"""{"id":"{{id}}"{{limits}}}""");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return _gateway.ClientWith(created.GetProperty("secret").GetString());
    }

    private async Task<List<JsonElement>> AccessLogAsync()
    {
        await Task.Delay(1500); // the writer drains every 200 ms and the sink flushes every second
        return [.. Directory.GetFiles(_logs, "access-*.json").SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    [Fact]
    public async Task Refusals_SpendTheKeysRequests()
    {
        using var client = await KeyAsync("refused", ""","limits":{"qps":0.001,"burst":3}""");

        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"nope","messages":[]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","rid":"x"}"""))).StatusCode);
        var (limited, body) = await Json.PostAsync(client, "/v1/chat/completions", """{"model":"m","messages":[]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("requests", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task LongClientStrings_AreCutInAnswersAndInTheAccessLog()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        var longModel = new string('m', 250) + "-end";
        var (notFound, notFoundBody) = await Json.PostAsync(user, "/v1/chat/completions", $$"""{"model":"{{longModel}}","messages":[]}""");
        var (tooLong, tooLongBody) = await Json.PostAsync(user, "/v1/chat/completions", $$"""{"model":"{{new string('x', 5_000_000)}}","messages":[]}""");
        using var longPath = await user.PostAsync("/v1/" + new string('p', 6000), Json.Body("{}"));

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.InRange(notFoundBody.GetProperty("error").GetProperty("message").GetString()!.Length, 256, 400);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("'model' is longer than 256 characters.", tooLongBody.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, longPath.StatusCode);
        Assert.InRange((await longPath.Content.ReadAsStringAsync()).Length, 100, 700);
        var lines = await AccessLogAsync();
        Assert.All(lines, line => Assert.True(line.GetRawText().Length < 2048, line.GetRawText()[..200]));
        Assert.Contains(lines, line => line.GetProperty("path").GetString()!.EndsWith("(6004 characters)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"model":"\ud800","messages":[]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a\udfffb"}],"max_tokens":1}""")]
    [InlineData("""{"model":"m","prompt":"\ud83d","max_tokens":1}""")]
    public async Task LoneSurrogates_AreNeverAServerError(string body)
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        var path = body.Contains("prompt") ? "/v1/completions" : "/v1/chat/completions";

        using var response = await user.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.Equal(JsonValueKind.String, (await Json.ReadAsync(response)).GetProperty("error").GetProperty("message").ValueKind);
        }
    }

    [Fact]
    public async Task InvalidUtf8InTheBody_IsA400NotA500()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        var bytes = Encoding.UTF8.GetBytes("""{"model":"mX","messages":[]}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        using var response = await user.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("model", (await Json.ReadAsync(response)).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task BatchOfPrompts_ReservesACompletionPerPrompt()
    {
        using var batch = await KeyAsync("batch");
        var prompts = string.Join(",", Enumerable.Range(0, 60).Select(i => $"\"prompt number {i}\""));

        // Sixty prompts that may each produce 100 tokens need over 6,000 of the key's 5,000 tokens a minute.
        var (refused, body) = await Json.PostAsync(batch, "/v1/completions", $$"""{"model":"m","prompt":[{{prompts}}],"max_tokens":100}""");
        // The same text as one prompt needs about 300.
        var (admitted, _) = await Json.PostAsync(batch, "/v1/completions", $$"""{"model":"m","prompt":"{{string.Join(" ", Enumerable.Range(0, 60).Select(i => $"prompt number {i}"))}}","max_tokens":100}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.StartsWith("Request too large for key 'batch' on tokens per min (TPM): Limit 5000, Requested 6", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task ClientAbortingANonStreamingRequest_IsCharged_AndRecordedAs499()
    {
        using var aborting = await KeyAsync("aborting");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));

        // About 1,800 tokens of prompt (0.3 per character without a tokenizer): far more than the 83 a second that refill.
        var prompt = string.Join(" ", Enumerable.Repeat("abcde", 1000));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            aborting.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"{{prompt}}"}],"max_tokens":5}"""), cancel.Token));

        var limits = default(JsonElement);
        Assert.True(await Eventually.TrueWithinAsync(async () =>
        {
            limits = (await Json.GetAsync(_gateway.Client, "/admin/limits")).GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == "aborting");
            return limits.GetProperty("active_leases").GetInt32() == 0 && limits.GetProperty("open_reservations").GetInt32() == 0;
        }, TimeSpan.FromSeconds(5)));
        // Charged the prompt estimate, not nothing (a few seconds of refill at most since).
        Assert.InRange(limits.GetProperty("tokens_remaining").GetInt64(), 5000 - 1820, 5000 - 1800 + 500);
        var usage = (await Json.GetAsync(_gateway.Client, "/admin/usage")).EnumerateArray().Single(u => u.GetProperty("key_id").GetString() == "aborting");
        Assert.Equal(1, usage.GetProperty("aborted").GetInt64());
        Assert.Equal(0, usage.GetProperty("errors").GetInt64());
        var line = Assert.Single(await AccessLogAsync(), l => l.GetProperty("key_id").GetString() == "aborting");
        Assert.Equal(499, line.GetProperty("status").GetInt32());
    }
}
