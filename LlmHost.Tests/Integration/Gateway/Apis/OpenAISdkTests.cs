using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>The official OpenAI .NET SDK against the gateway, as users will point it.</summary>
[Trait("Category", "Integration")]
public sealed class OpenAISdkTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;
    private OpenAIClient _client = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/qwen", "--served-model-name", "qwen", "--lora-modules", "sql=/sql");
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: org/qwen, url: "{{_sim.Address}}" }
            """);
        _client = new OpenAIClient(new ApiKeyCredential(GatewayHost.UserSecret), new OpenAIClientOptions { Endpoint = new Uri(_gateway.Address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task Models_ListsBaseAndAdapter()
    {
        var models = await _client.GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal(["qwen", "sql"], models.Value.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task Chat_ReturnsContentAndUsage()
    {
        ChatCompletion completion = await _client.GetChatClient("qwen").CompleteChatAsync(
            [new UserChatMessage("Hello there")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        Assert.Equal("qwen", completion.Model);
        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.Equal(5, completion.Usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
    }

    [Fact]
    public async Task StreamedChat_DeliversDeltasAndUsage()
    {
        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in _client.GetChatClient("sql").CompleteChatStreamingAsync(
            [new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            usage = update.Usage ?? usage;
        }

        Assert.Equal(4, text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.NotNull(usage);
        Assert.Equal(4, usage.OutputTokenCount);
    }

    [Fact]
    public async Task LegacyCompletions_AnswerThroughTheSdkPipeline()
    {
        // SDK 2.15 keeps its legacy completions client internal: send through the client's own pipeline
        // (its authentication, retries and error handling) instead.
        using var message = _client.Pipeline.CreateMessage();
        message.Request.Method = "POST";
        message.Request.Uri = new Uri(_gateway.Address, "/v1/completions");
        message.Request.Headers.Set("Content-Type", "application/json");
        message.Request.Content = BinaryContent.Create(BinaryData.FromString("""{"model":"qwen","prompt":"Once upon","max_tokens":3}"""));

        await _client.Pipeline.SendAsync(message);

        Assert.Equal(200, message.Response!.Status);
        using var body = JsonDocument.Parse(message.Response.Content.ToString());
        Assert.Equal("text_completion", body.RootElement.GetProperty("object").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task UnknownModel_RaisesNotFound()
    {
        var ex = await Assert.ThrowsAsync<ClientResultException>(() => _client.GetChatClient("gpt-9").CompleteChatAsync([new UserChatMessage("x")]));

        Assert.Equal(404, ex.Status);
        Assert.Contains("does not exist", ex.Message);
    }
}
