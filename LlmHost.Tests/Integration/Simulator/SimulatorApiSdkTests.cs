#pragma warning disable OPENAI001 // the Responses client is marked experimental in the SDK
using System.ClientModel;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Responses;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>The official OpenAI and Anthropic .NET SDKs straight against the simulator: they parse what it sends.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatorApiSdkTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private ResponsesClient _responses = null!;
    private AnthropicClient _anthropic = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        _responses = new OpenAIClient(new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = new Uri(_sim.Address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) }).GetResponsesClient();
        _anthropic = new AnthropicClient { ApiKey = "unused", BaseUrl = _sim.Address.ToString().TrimEnd('/'), MaxRetries = 0, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static CreateResponseOptions Ask(string text, int maxOutput, string? previous = null, bool stream = false) =>
        new("m", [ResponseItem.CreateUserMessageItem(text)])
        {
            MaxOutputTokenCount = maxOutput,
            PreviousResponseId = previous,
            Instructions = "Be brief.",
            StreamingEnabled = stream,
        };

    private static MessageCreateParams Message(long maxTokens, string model = "m") =>
        new() { Model = model, MaxTokens = maxTokens, System = "Answer briefly.", Messages = [new UserMessageParam("Hello there")] };

    [Fact]
    public async Task OpenAIResponses_CreateFollowUpAndRetrieve_Parsed()
    {
        ResponseResult first = await _responses.CreateResponseAsync(Ask("Remember seven.", maxOutput: 4));
        ResponseResult second = await _responses.CreateResponseAsync(Ask("And then?", maxOutput: 100, previous: first.Id));
        ResponseResult retrieved = await _responses.GetResponseAsync(second.Id);

        Assert.StartsWith("resp_", first.Id);
        Assert.Equal(ResponseStatus.Incomplete, first.Status);
        Assert.Equal(4, first.Usage.OutputTokenCount);
        Assert.Equal(ResponseStatus.Completed, second.Status);
        Assert.Equal(first.Id, second.PreviousResponseId);
        Assert.True(second.Usage.InputTokenCount > first.Usage.InputTokenCount + first.Usage.OutputTokenCount);
        Assert.Equal(second.Usage.InputTokenCount + second.Usage.OutputTokenCount, second.Usage.TotalTokenCount);
        Assert.False(string.IsNullOrEmpty(second.GetOutputText()));
        Assert.Equal(second.GetOutputText(), retrieved.GetOutputText());
    }

    [Fact]
    public async Task OpenAIResponses_Streaming_DeltasAndTheCompletedUsageAgree()
    {
        var text = new System.Text.StringBuilder();
        var deltas = 0;
        ResponseResult? completed = null;
        await foreach (var update in await _responses.CreateResponseStreamingAsync(Ask("Tell me more", maxOutput: 7, stream: true)))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
                deltas++;
            }
            else if (update is StreamingResponseCompletedUpdate done)
            {
                completed = done.Response;
            }
        }

        Assert.NotNull(completed);
        Assert.Equal(7, deltas);
        Assert.Equal(deltas, completed.Usage.OutputTokenCount);
        Assert.Equal(text.ToString(), completed.GetOutputText());
    }

    [Fact]
    public async Task OpenAIResponses_CancelAndUnknownId_TheSdksErrors()
    {
        ResponseResult response = await _responses.CreateResponseAsync(Ask("Short one", maxOutput: 2));

        var cancel = await Assert.ThrowsAsync<ClientResultException>(() => _responses.CancelResponseAsync(response.Id));
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => _responses.GetResponseAsync("resp_nope"));

        Assert.Equal(400, cancel.Status);
        Assert.Contains("Cannot cancel a synchronous response.", cancel.Message);
        Assert.Equal(404, unknown.Status);
    }

    [Fact]
    public async Task AnthropicMessages_Create_Parsed()
    {
        var message = await _anthropic.Messages.Create(Message(maxTokens: 5));

        Assert.StartsWith("msg_", message.ID);
        Assert.True(message.Content[0].TryPickText(out var text) && text.Text.Length > 0);
        Assert.Equal(5, message.Usage.OutputTokens);
        Assert.Equal(0, message.Usage.CacheReadInputTokens);
        Assert.True(message.Usage.InputTokens > 0);
    }

    [Fact]
    public async Task AnthropicMessages_Streaming_DeltasAndTheFinalUsageAgree()
    {
        var deltas = 0;
        long? output = null;
        await foreach (var update in _anthropic.Messages.CreateStreaming(Message(maxTokens: 6)))
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

        Assert.Equal(6, deltas);
        Assert.Equal(deltas, output);
    }

    [Fact]
    public async Task AnthropicMessages_CountTokensAndRefusals_ParsedAndRaisedByStatus()
    {
        var count = await _anthropic.Messages.CountTokens(new MessageCountTokensParams { Model = "m", Messages = [new UserMessageParam("one two three four")] });

        Assert.Equal(3 + 4 + 4, count.InputTokens);
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => _anthropic.Messages.Create(Message(maxTokens: 4, model: "other")));
    }
}
