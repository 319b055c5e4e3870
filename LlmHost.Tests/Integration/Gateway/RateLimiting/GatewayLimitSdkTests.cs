using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using LlmHost.Gateway.Metering;
using OpenAI;
using OpenAI.Chat;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>The official OpenAI .NET SDK meets a 429: a rate-limit failure it retries after the gateway's Retry-After.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayLimitSdkTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        _gateway = await GatewayHost.StartAsync(LimitsConfig.For(_sim, "{ defaults: { qps: 0.5, burst: 1, concurrency: 0, tpm: 0 } }"));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private ChatClient Chat(int maxRetries) => new OpenAIClient(new ApiKeyCredential(GatewayHost.UserSecret), new OpenAIClientOptions
    {
        Endpoint = new Uri(_gateway.Address, "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries),
    }).GetChatClient("m");

    [Fact]
    public async Task Sdk_WithoutRetries_SeesRateLimitFailure()
    {
        var chat = Chat(maxRetries: 0);
        await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 }));

        Assert.Equal(429, failure.Status);
        Assert.Contains("Rate limit reached for key 'testuser'", failure.Message);
    }

    [Fact]
    public async Task Sdk_WithRetries_WaitsRetryAfterAndSucceeds()
    {
        var chat = Chat(maxRetries: 2);
        await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        var clock = Stopwatch.StartNew();

        ChatCompletion second = await chat.CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });

        Assert.NotEmpty(second.Content);
        // The bucket refills one request every 2 s. The SDK's own backoff (about 0.8 s, then 1.6 s) would have been
        // refused once more; one refusal and a 2 s wait show it waited the retry-after-ms it was given.
        Assert.Equal(1, _gateway.Get<KeyUsageTracker>().Snapshot()["testuser"].Rejections);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1800), TimeSpan.FromSeconds(4));
    }
}
