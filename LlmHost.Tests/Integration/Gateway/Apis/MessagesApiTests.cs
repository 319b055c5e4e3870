using System.Diagnostics;
using System.Net;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using LlmHost.Gateway.Metering;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>
/// Anthropic's Messages API through the gateway with the official Anthropic .NET SDK: answers, streams and token
/// counts metered like chat completions; every refusal in Anthropic's shape, raised as that SDK's exception types.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MessagesApiTests : IAsyncLifetime
{
    private const string LimitedSecret = "sk-llmhost-limited-TestOnlySecretNotForProduction00000000000";
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var limited = $$$"""{"id": "limited", "name": "Limited", "role": "user", "key_sha256": "{{{LlmHost.Gateway.Keys.Sha256Hash.Of(LimitedSecret).ToHex()}}}", "models": ["m"], "limits": {"qps": 0.5, "burst": 1}}""";
        var keys = GatewayHost.DefaultKeysJson.TrimEnd();
        keys = keys[..keys.LastIndexOf("]}", StringComparison.Ordinal)] + "," + limited + "]}";
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{_sim.Address}}" }
            """, keys);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private AnthropicClient Client(string secret, int maxRetries = 0) => new()
    {
        ApiKey = secret,
        BaseUrl = _gateway.Address.ToString().TrimEnd('/'),
        MaxRetries = maxRetries,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static MessageCreateParams Ask(string model = "m", long maxTokens = 8) =>
        new() { Model = model, MaxTokens = maxTokens, System = "Answer briefly.", Messages = [new UserMessageParam("Hello there")] };

    [Fact]
    public async Task Create_Sdk_AnswersTextAndItsUsageIsMetered()
    {
        var message = await Client(GatewayHost.UserSecret).Messages.Create(Ask());

        Assert.StartsWith("msg_", message.ID);
        Assert.True(message.Content[0].TryPickText(out var text) && text.Text.Length > 0);
        var measured = _gateway.Observer.Last;
        Assert.Equal("messages", measured.Operation);
        Assert.Equal(UsageSource.Reported, measured.Source);
        Assert.Equal(message.Usage.OutputTokens, measured.CompletionTokens);
        Assert.Equal(message.Usage.InputTokens + (message.Usage.CacheReadInputTokens ?? 0) + (message.Usage.CacheCreationInputTokens ?? 0), measured.PromptTokens);
    }

    [Fact]
    public async Task CreateStreaming_Sdk_DeltasAndTheFinalUsageAgree()
    {
        var deltas = 0;
        long? output = null;
        await foreach (var update in Client(GatewayHost.UserSecret).Messages.CreateStreaming(Ask(maxTokens: 6)))
        {
            if (update.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out _))
            {
                deltas++;
            }
            else if (update.TryPickDelta(out var end))
            {
                output = end.Usage.OutputTokens;
            }
        }

        Assert.Equal(deltas, output);
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Observer.Measurements.Any(m => m.Stream && m.Operation == "messages"), TimeSpan.FromSeconds(5)));
        var measured = _gateway.Observer.Measurements.Last(m => m.Stream && m.Operation == "messages");
        Assert.Equal(UsageSource.Reported, measured.Source);
        Assert.Equal(output, measured.CompletionTokens);
        Assert.True(measured.PromptTokens > 0);
    }

    [Fact]
    public async Task CountTokens_Sdk_TheEnginesCount()
    {
        var count = await Client(GatewayHost.UserSecret).Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "m",
            Messages = [new UserMessageParam("one two three four")],
        });

        Assert.True(count.InputTokens >= 4);
        Assert.Equal("count_tokens", _gateway.Observer.Last.Operation);
    }

    [Fact]
    public async Task Models_Sdk_TheKeysModelsInAnthropicsShape()
    {
        var page = await Client(GatewayHost.UserSecret).Models.List(new Anthropic.Models.Models.ModelListParams());
        var one = await Client(GatewayHost.UserSecret).Models.Retrieve("m", new Anthropic.Models.Models.ModelRetrieveParams());

        Assert.Equal(["m"], page.Items.Select(m => m.ID));
        Assert.False(page.HasNext());
        Assert.Equal("m", one.ID);
    }

    [Fact]
    public async Task Refusals_Sdk_RaisedAsTheSdksExceptionTypes()
    {
        await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Client("sk-llmhost-nobody-NotAKey").Messages.Create(Ask()));
        await Assert.ThrowsAsync<AnthropicForbiddenException>(() => Client(LimitedSecret).Messages.Create(Ask("not-for-this-key")));
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => Client(GatewayHost.UserSecret).Messages.Create(Ask("no-such-model")));
    }

    [Fact]
    public async Task RateLimited_SdkWithoutRetries_RateLimitExceptionWithAnthropicsHeaders()
    {
        var client = Client(LimitedSecret);
        await client.Messages.Create(Ask());

        var refused = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => client.Messages.Create(Ask()));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var raw = _gateway.ClientWith(LimitedSecret);
        using var response = await raw.PostAsync("/v1/messages", Json.Body("""{"model":"m","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}"""));
        var body = await Json.ReadAsync(response);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("1", response.Headers.GetValues("anthropic-ratelimit-requests-limit").Single());
        Assert.True(DateTimeOffset.TryParse(response.Headers.GetValues("anthropic-ratelimit-requests-reset").Single(), out _));
        Assert.False(response.Headers.Contains("x-ratelimit-limit-requests"));
    }

    [Fact]
    public async Task RateLimited_SdkWithRetries_WaitsTheRetryAfterAndSucceeds()
    {
        var client = Client(LimitedSecret, maxRetries: 2);
        await client.Messages.Create(Ask());
        var clock = Stopwatch.StartNew();

        var second = await client.Messages.Create(Ask());

        Assert.NotEmpty(second.Content);
        // One request every 2 s: the SDK's own first backoff (about 0.5 s) would have been refused again.
        Assert.Equal(1, _gateway.Get<KeyUsageTracker>().Snapshot()["limited"].Rejections);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Errors_RawHttp_AnthropicShapeForBadBodiesAndUnknownPaths()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        using var badJson = await user.PostAsync("/v1/messages", Json.Body("""{"model":"m","max_tokens":"#"}"""));
        using var unknownPath = await user.PostAsync("/v1/messages/batches", Json.Body("{}"));
        using var anonymous = _gateway.ClientWith(null);
        using var noKey = await anonymous.PostAsync("/v1/messages", Json.Body("{}"));
        using var chat = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","max_tokens":"#"}"""));

        Assert.Equal("invalid_request_error", (await Json.ReadAsync(badJson)).GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        Assert.Equal("not_found_error", (await Json.ReadAsync(unknownPath)).GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("authentication_error", (await Json.ReadAsync(noKey)).GetProperty("error").GetProperty("type").GetString());
        // OpenAI's routes keep OpenAI's shape.
        Assert.False((await Json.ReadAsync(chat)).TryGetProperty("type", out _));
    }
}
