#pragma warning disable OPENAI001 // the Responses client is marked experimental in the SDK
using System.ClientModel;
using System.Net;
using OpenAI;
using OpenAI.Responses;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>
/// OpenAI's Responses API through the gateway, with the official OpenAI .NET SDK, in front of three simulated vLLM
/// instances that keep their responses in their own memory.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ResponsesApiTests : IAsyncLifetime
{
    private readonly SimulatorHost[] _sims = new SimulatorHost[3];
    private GatewayHost _gateway = null!;
    private ResponsesClient _responses = null!;

    public async Task InitializeAsync()
    {
        for (var i = 0; i < _sims.Length; i++)
        {
            _sims[i] = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        }
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h, policy: round_robin }
            backends:
            {{string.Concat(_sims.Select((s, i) => $"  - {{ name: sim-{i}, engine: vllm, mode: external, model: m, url: \"{s.Address}\" }}\n"))}}
            """);
        _responses = Client(GatewayHost.UserSecret);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var sim in _sims)
        {
            await sim.DisposeAsync();
        }
    }

    private ResponsesClient Client(string secret) => new OpenAIClient(new ApiKeyCredential(secret),
        new OpenAIClientOptions { Endpoint = new Uri(_gateway.Address, "/v1"), NetworkTimeout = TimeSpan.FromSeconds(30) }).GetResponsesClient();

    private static CreateResponseOptions Ask(string text, string? previous = null, int maxOutput = 8) =>
        new("m", [ResponseItem.CreateUserMessageItem(text)]) { MaxOutputTokenCount = maxOutput, PreviousResponseId = previous };

    private long[] Served() => [.. _sims.Select(s => s.RequestsServed)];

    [Fact]
    public async Task CreateResponse_Sdk_AnswersTextAndItsUsageIsMetered()
    {
        ResponseResult response = await _responses.CreateResponseAsync(Ask("Hello there", maxOutput: 6));

        Assert.StartsWith("resp_", response.Id);
        Assert.False(string.IsNullOrEmpty(response.GetOutputText()));
        var measured = _gateway.Observer.Last;
        Assert.Equal("responses", measured.Operation);
        Assert.Equal(response.Usage.InputTokenCount, measured.ReportedPromptTokens);
        Assert.Equal(response.Usage.OutputTokenCount, measured.CompletionTokens);
        Assert.Equal(6, measured.MaxTokens);
    }

    [Fact]
    public async Task CreateResponseStreaming_Sdk_DeltasAndTheCompletedUsageAgree()
    {
        var text = new System.Text.StringBuilder();
        var deltas = 0;
        ResponseTokenUsage? usage = null;
        var options = Ask("Tell me more", maxOutput: 7);
        options.StreamingEnabled = true;
        await foreach (var update in await _responses.CreateResponseStreamingAsync(options))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                text.Append(delta.Delta);
                deltas++;
            }
            else if (update is StreamingResponseCompletedUpdate completed)
            {
                usage = completed.Response.Usage;
            }
        }

        Assert.NotNull(usage);
        Assert.Equal(deltas, usage.OutputTokenCount);
        Assert.True(text.Length > 0);
        Assert.True(await Eventually.TrueWithinAsync(() => _gateway.Observer.Measurements.Any(m => m.Stream && m.Operation == "responses"), TimeSpan.FromSeconds(5)));
        var measured = _gateway.Observer.Measurements.Last(m => m.Stream && m.Operation == "responses");
        Assert.Equal(LlmHost.Gateway.Metering.UsageSource.Reported, measured.Source);
        Assert.Equal(usage.OutputTokenCount, measured.CompletionTokens);
        Assert.Equal(usage.InputTokenCount, measured.ReportedPromptTokens);
    }

    [Fact]
    public async Task FollowUps_PreviousResponseId_LandOnTheInstanceThatKeepsTheResponse()
    {
        var before = Served();
        ResponseResult first = await _responses.CreateResponseAsync(Ask("Remember the number seven."));
        var previous = first;
        for (var turn = 0; turn < 5; turn++)
        {
            // Round robin would spread these over the three instances; each must reach the one that keeps the conversation.
            previous = await _responses.CreateResponseAsync(Ask($"And then, turn {turn}?", previous.Id));
            Assert.True(previous.Usage.InputTokenCount > first.Usage.InputTokenCount, "the engine did not continue the stored conversation");
        }
        ResponseResult retrieved = await _responses.GetResponseAsync(previous.Id);

        var after = Served();
        var grew = Enumerable.Range(0, _sims.Length).Where(i => after[i] > before[i]).ToArray();
        Assert.Single(grew);
        Assert.Equal(6, after[grew[0]] - before[grew[0]]);
        Assert.Equal(previous.Id, retrieved.Id);
        // The retrieval is measured like any request: its operation, the instance it reached.
        Assert.Equal(("responses", 200, $"sim-{grew[0]}"), (_gateway.Observer.Last.Operation, _gateway.Observer.Last.Status, _gateway.Observer.Last.Backend));
        Assert.Equal(previous.GetOutputText(), retrieved.GetOutputText());
    }

    [Fact]
    public async Task FollowUp_AnotherKeysResponse_NotFoundAndNoEngineAsked()
    {
        ResponseResult mine = await _responses.CreateResponseAsync(Ask("Private conversation"));
        var before = Served();

        var other = Client(GatewayHost.AdminSecret);
        var followUp = await Assert.ThrowsAsync<ClientResultException>(() => other.CreateResponseAsync(Ask("Let me in", mine.Id)));
        var retrieve = await Assert.ThrowsAsync<ClientResultException>(() => other.GetResponseAsync(mine.Id));

        Assert.Equal(404, followUp.Status);
        Assert.Contains("previous_response_not_found", followUp.GetRawResponse()!.Content.ToString());
        Assert.Equal(404, retrieve.Status);
        Assert.Equal(before, Served());
    }

    [Fact]
    public async Task FollowUp_UnknownOrMalformedId_ClearErrorsInOpenAIShape()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        var (unknown, unknownBody) = await Json.PostAsync(user, "/v1/responses", """{"model":"m","input":"hi","previous_response_id":"resp_0123456789abcdef"}""");
        var (malformed, malformedBody) = await Json.PostAsync(user, "/v1/responses", """{"model":"m","input":"hi","previous_response_id":"../../admin"}""");
        using var badPath = await user.GetAsync("/v1/responses/resp%2F..%2Fx");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("previous_response_not_found", unknownBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("previous_response_id", malformedBody.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badPath.StatusCode);
    }

    [Fact]
    public async Task DeleteAndCancel_WhatTheEngineServes_DeleteIs501CancelIsTheEnginesAnswer()
    {
        ResponseResult response = await _responses.CreateResponseAsync(Ask("Short one"));
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        using var delete = await user.DeleteAsync($"/v1/responses/{response.Id}");
        var cancel = await Assert.ThrowsAsync<ClientResultException>(() => _responses.CancelResponseAsync(response.Id));

        Assert.Equal(HttpStatusCode.NotImplemented, delete.StatusCode);
        Assert.Equal("unsupported_api", (await Json.ReadAsync(delete)).GetProperty("error").GetProperty("code").GetString());
        // vLLM refuses to cancel a response that was not created in the background.
        Assert.Equal(400, cancel.Status);
        Assert.Contains("Cannot cancel a synchronous response", cancel.Message);
    }

    [Fact]
    public async Task StoreFalse_ResponseNotRemembered_FollowUpIsNotFound()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        var (created, body) = await Json.PostAsync(user, "/v1/responses", """{"model":"m","input":"forget me","store":false,"max_output_tokens":3}""");
        var id = body.GetProperty("id").GetString();

        var (followUp, _) = await Json.PostAsync(user, "/v1/responses", $$"""{"model":"m","input":"again","previous_response_id":"{{id}}"}""");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, followUp.StatusCode);
    }
}
