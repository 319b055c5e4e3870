using System.Net;
using System.Text.RegularExpressions;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>The 429 bodies and the x-ratelimit headers, exactly as documented.</summary>
[Trait("Category", "Integration")]
public sealed partial class GatewayLimitHeadersTests : IAsyncLifetime
{
    // The prompt {"role":"user","content":"hi"} is estimated at 5 (request) + 5 (message) + 1 ("hi"): 11 tokens.
    private const int PromptEstimate = 11;
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        _gateway = await GatewayHost.StartAsync(LimitsConfig.For(_sim, "{ defaults: { qps: 1, burst: 1, concurrency: 4, tpm: 1000 } }"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task Admitted_ThenOverQps_HeadersAndBodyAreExact()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var admitted = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(10));
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        Assert.Equal("1", Header(admitted, RateLimitHeaders.LimitRequests));
        Assert.Equal("0", Header(admitted, RateLimitHeaders.RemainingRequests));
        Assert.Matches(ResetPattern(), Header(admitted, RateLimitHeaders.ResetRequests));
        Assert.Equal("1000", Header(admitted, RateLimitHeaders.LimitTokens));
        Assert.Equal($"{1000 - PromptEstimate - 10}", Header(admitted, RateLimitHeaders.RemainingTokens));
        Assert.Equal("4", Header(admitted, RateLimitHeaders.LimitConcurrency));
        Assert.Equal("3", Header(admitted, RateLimitHeaders.RemainingConcurrency));

        using var refused = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(10));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = (await Json.ReadAsync(refused)).GetProperty("error");
        Assert.Equal("requests", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Matches(@"^Rate limit reached for key 'testuser' on requests per second \(QPS\): Limit 1 \(burst\), Used 1, Requested 1\. Please try again in (\d+ms|1s)\.$",
            error.GetProperty("message").GetString());
        Assert.Equal("1", refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(int.Parse(Header(refused, RateLimitHeaders.RetryAfterMs), System.Globalization.CultureInfo.InvariantCulture), 1, 1000);
        Assert.Equal("0", Header(refused, RateLimitHeaders.RemainingRequests));
        Assert.Equal("1000", Header(refused, RateLimitHeaders.LimitTokens));
        Assert.Equal(1, _gateway.Get<KeyUsageTracker>().Snapshot()["testuser"].Rejections);
    }

    [Fact]
    public async Task OverTheWholeTokenBudget_IsRefusedWithoutRetry()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var refused = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(5000));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = (await Json.ReadAsync(refused)).GetProperty("error");
        Assert.Equal("tokens", error.GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        // 5,000 completion tokens do not fit the simulator's 4,096-token context: the reservation is capped by it.
        Assert.Equal("Request too large for key 'testuser' on tokens per min (TPM): Limit 1000, Requested 4096. "
            + "The input or output tokens must be reduced in order to run successfully: lower max_tokens or shorten the prompt.", error.GetProperty("message").GetString());
        Assert.Equal("false", Header(refused, RateLimitHeaders.ShouldRetry));
        Assert.Null(refused.Headers.RetryAfter);
        // The cheap limits come first, before the prompt is read: the refusal spent the request, the next one waits.
        using var next = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(10));
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
        Assert.Equal("requests", (await Json.ReadAsync(next)).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stream_Admitted_CarriesTheHeaders()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var response = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(5, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", Header(response, RateLimitHeaders.LimitRequests));
        Assert.Equal($"{1000 - PromptEstimate - 5}", Header(response, RateLimitHeaders.RemainingTokens));
    }

    [Fact]
    public async Task AdminLimits_AfterARequest_ShowsItSettled()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var answer = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(10));
        var usage = (await Json.ReadAsync(answer)).GetProperty("usage").GetProperty("total_tokens").GetInt64();

        var limits = await Json.GetAsync(_gateway.Client, "/admin/limits");
        var refilled = (long)Math.Ceiling(clock.Elapsed.TotalSeconds * 1000 / 60) + 1;

        Assert.Equal("memory", limits.GetProperty("store").GetString());
        var key = limits.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == "testuser");
        Assert.Equal(0, key.GetProperty("active_leases").GetInt32());
        Assert.Equal(0, key.GetProperty("open_reservations").GetInt32());
        Assert.Equal(0, key.GetProperty("requests_remaining").GetInt64());
        Assert.Equal(4, key.GetProperty("concurrency_remaining").GetInt32());
        // Settled with the real usage, plus what refilled (1,000 a minute) while the test ran.
        Assert.InRange(key.GetProperty("tokens_remaining").GetInt64(), 1000 - usage, 1000 - usage + refilled);
    }

    [GeneratedRegex(@"^(\d+ms|1s)$")]
    private static partial Regex ResetPattern();
}
