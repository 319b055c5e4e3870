using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Proxy;
using LlmHost.Gateway.Tokens;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.ClientApis;

/// <summary>The Responses and Messages APIs' fields as the gateway reads them, and what it tells their clients.</summary>
[Trait("Category", "Unit")]
public class ClientApiInspectionTests
{
    private static async Task<InspectionResult> Inspect(ApiOperation operation, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(operation), operation.Name));
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        return await new RequestInspector().ReadAsync(context, 1 << 20);
    }

    [Fact]
    public async Task Inspect_ResponsesBody_ReadsItsFieldsAndKeepsTheLargestOutputLimit()
    {
        var result = await Inspect(ApiOperation.Responses,
            """{"model":"m","input":["a","b","c"],"max_tokens":2,"max_output_tokens":50,"previous_response_id":"resp_9f","store":false}""");

        using var request = Assert.IsType<InspectedRequest>(result.Request);
        Assert.Same(ApiOperation.Responses, request.Operation);
        Assert.Equal(50, request.MaxOutput);
        Assert.Equal("resp_9f", request.PreviousResponseId);
        Assert.False(request.Store);
        // The input is the conversation, where prefix routing looks.
        Assert.Equal("""["a","b","c"]""", Encoding.UTF8.GetString(request.Body.Span.Slice(request.PromptSpan.Start, request.PromptSpan.Length)));
    }

    [Theory]
    [InlineData("""{"model":"m","input":"x","previous_response_id":"resp/../x"}""")]
    [InlineData("""{"model":"m","input":"x","previous_response_id":"resp_\u0041"}""")]
    [InlineData("""{"model":"m","input":"x","previous_response_id":7}""")]
    [InlineData("""{"model":"m","input":"x","previous_response_id":"a","previous_response_id":"b"}""")]
    [InlineData("""{"model":"m","input":"x","store":"no"}""")]
    [InlineData("""{"model":"m","input":"x","background":true}""")]
    public async Task Inspect_BadResponsesFields_Refused(string body)
    {
        var result = await Inspect(ApiOperation.Responses, body);

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
    }

    [Fact]
    public async Task Inspect_LargeMetadata_RefusedBecauseEnginesRepeatIt()
    {
        var result = await Inspect(ApiOperation.Messages, $$$"""{"model":"m","max_tokens":1,"messages":[],"metadata":{"k":"{{{new string('x', RequestInspector.MaxMetadataBytes)}}}"}}""");
        var small = await Inspect(ApiOperation.Messages, """{"model":"m","max_tokens":1,"messages":[],"metadata":{"user_id":"u-1"}}""");

        Assert.Equal("metadata", result.Param);
        small.Request!.Dispose();
    }

    [Fact]
    public async Task Inspect_BackgroundFalseOrOnAnotherApi_Accepted()
    {
        using var responses = (await Inspect(ApiOperation.Responses, """{"model":"m","input":"x","background":false}""")).Request!;
        using var chat = (await Inspect(ApiOperation.Chat, """{"model":"m","messages":[],"background":true}""")).Request!;

        Assert.Equal("m", responses.Model);
        Assert.Equal("m", chat.Model);
    }

    [Fact]
    public async Task Inspect_LongResponseId_RefusedUnread()
    {
        var result = await Inspect(ApiOperation.Responses, $$"""{"model":"m","input":"x","previous_response_id":"{{new string('a', ResponseIds.MaxLength + 1)}}"}""");

        Assert.Equal("previous_response_id", result.Param);
    }

    [Fact]
    public void Estimate_ResponsesAndMessagesBodies_CountInstructionsSystemToolResultsAndItems()
    {
        var counter = new CharacterClassTokenCounter();
        var reservation = TokenReservation.For(10, null, null, null, null, 100, generates: true);
        var words = string.Join(' ', Enumerable.Repeat("word", 200));

        var bare = PromptEstimator.Estimate(Encoding.UTF8.GetBytes("""{"model":"m","input":"hi"}"""), counter, reservation, new MediaTokens(), conversationInput: true);
        var withInstructions = PromptEstimator.Estimate(Encoding.UTF8.GetBytes($$"""{"model":"m","instructions":"{{words}}","input":"hi"}"""), counter, reservation, new MediaTokens(), conversationInput: true);
        var withItems = PromptEstimator.Estimate(Encoding.UTF8.GetBytes($$"""{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call_output","call_id":"c","output":"{{words}}"}]}"""),
            counter, reservation, new MediaTokens(), conversationInput: true);
        var message = PromptEstimator.Estimate(Encoding.UTF8.GetBytes($$"""{"model":"m","system":[{"type":"text","text":"{{words}}"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"{{words}}"}]}]}],"max_tokens":10}"""),
            counter, reservation, new MediaTokens());

        Assert.InRange(bare.PromptTokens, 1, 20);
        Assert.True(withInstructions.PromptTokens >= bare.PromptTokens + 200);
        Assert.True(withItems.PromptTokens >= 200);
        Assert.True(message.PromptTokens >= 400);
        Assert.Equal(withItems.PromptTokens + 10, withItems.Reservation);
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(504, "timeout_error")]
    public void AnthropicErrors_TypeOf_MatchesAnthropicsStatusTable(int status, string type) => Assert.Equal(type, AnthropicErrors.TypeOf(status));

    [Theory]
    [InlineData("0.11.1", EngineApi.Messages, true)]
    [InlineData("v0.11.0", EngineApi.Messages, false)]
    [InlineData("0.10.0", EngineApi.Responses, true)]
    [InlineData("0.9.2", EngineApi.Responses, false)]
    [InlineData(null, EngineApi.Messages, true)]
    [InlineData("0.99.0", EngineApi.ResponseDelete, false)]
    [InlineData("0.10", EngineApi.Responses, true)]
    [InlineData("0.11.1rc1", EngineApi.Messages, true)]
    [InlineData("0.11.1.post2", EngineApi.Messages, true)]
    public void Serves_VllmByRelease_OnlyFromTheReleaseThatBroughtTheApi(string? release, EngineApi api, bool served) =>
        Assert.Equal(served, EngineProfile.Vllm.Serves(api, EngineVersion.Parse(release)));

    [Theory]
    [InlineData("v0.5.3-cu126", "0.5.3")]
    [InlineData("0.10", "0.10.0")]
    [InlineData("0.11.1rc1", "0.11.1")]
    [InlineData("0.11.1", "0.11.1")]
    [InlineData("latest", null)]
    [InlineData("nightly-2026", null)]
    public void EngineVersion_Parse_ImageTagsAndReleases(string text, string? expected) =>
        Assert.Equal(expected is null ? null : Version.Parse(expected), EngineVersion.Parse(text));

    [Fact]
    public void EngineVersion_ContainerBackendWithoutVersion_ItsTag()
    {
        var backend = new BackendSettings { Engine = "sglang", Mode = "container", Container = new ContainerSettings { Tag = "v0.5.3-cu126" } };

        Assert.Equal(new Version(0, 5, 3), backend.EngineVersion);
        Assert.False(backend.Profile.Serves(EngineApi.Messages, backend.EngineVersion));
        Assert.True(backend.Profile.Serves(EngineApi.Responses, backend.EngineVersion));
    }
}
