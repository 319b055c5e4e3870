using System.Net;
using System.Text.Json;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>
/// <c>/v1/messages</c> as vLLM serves Anthropic's Messages API: the message, its named-event stream, count_tokens,
/// and every refusal on these routes in Anthropic's error shape.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SimulatorMessagesApiTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static int ChatPrompt(params string[] contents) =>
        SimpleTokenizer.TokensForGenerationPrompt + contents.Sum(c => SimpleTokenizer.TokensPerMessage + SimpleTokenizer.Count(c));

    private static string Body(int maxTokens, bool stream = false) =>
        $$"""{"model":"m","system":"Be brief.","messages":[{"role":"user","content":"Hello there"}],"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}}""";

    private static void AssertAnthropicError(JsonElement body, string type)
    {
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Equal(type, body.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Create_NotStreamed_AnthropicMessageWithUsage()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/messages", Body(200));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("msg_", body.GetProperty("id").GetString());
        Assert.Equal("message", body.GetProperty("type").GetString());
        Assert.Equal("assistant", body.GetProperty("role").GetString());
        Assert.Equal("m", body.GetProperty("model").GetString());
        var block = Assert.Single(body.GetProperty("content").EnumerateArray());
        Assert.Equal("text", block.GetProperty("type").GetString());
        var text = block.GetProperty("text").GetString()!;
        Assert.Equal("end_turn", body.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("stop_sequence").ValueKind);
        var usage = body.GetProperty("usage");
        Assert.Equal(ChatPrompt("Be brief.", "Hello there"), usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(SimpleTokenizer.Count(text), usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("cache_creation_input_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("cache_read_input_tokens").GetInt32());
    }

    [Fact]
    public async Task Create_MaxTokensCutsTheAnswer_StopReasonMaxTokens()
    {
        var (_, body) = await Json.PostAsync(_sim.Client, "/v1/messages", Body(3));

        Assert.Equal("max_tokens", body.GetProperty("stop_reason").GetString());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task CreateStreaming_Events_InOrderAndTheFinalOutputTokensCountTheDeltas()
    {
        var (response, events) = await NamedEvents.PostAsync(_sim.Client, "/v1/messages", Body(6, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var deltas = events.Where(e => e.Name == "content_block_delta").ToList();
        string[] expected = ["message_start", "content_block_start", "ping", .. Enumerable.Repeat("content_block_delta", deltas.Count),
            "content_block_stop", "message_delta", "message_stop"];
        Assert.Equal(expected, events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Type));
        var start = events[0].Data.GetProperty("message");
        Assert.StartsWith("msg_", start.GetProperty("id").GetString());
        Assert.Equal(0, start.GetProperty("content").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, start.GetProperty("stop_reason").ValueKind);
        Assert.Equal(ChatPrompt("Be brief.", "Hello there"), start.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(1, start.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("text", events[1].Data.GetProperty("content_block").GetProperty("type").GetString());
        Assert.All(deltas, d => Assert.Equal("text_delta", d.Data.GetProperty("delta").GetProperty("type").GetString()));
        var end = events[^2].Data;
        Assert.Equal(deltas.Count, end.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal(6, deltas.Count);
        Assert.Equal("max_tokens", end.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Create_MissingMaxTokens_400InAnthropicShape()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/messages", """{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertAnthropicError(body, "invalid_request_error");
        Assert.Contains("max_tokens: Field required", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, _sim.RequestsServed);
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":"#","messages":[]}""", "max_tokens: Input should be a valid integer")]
    [InlineData("""{"model":"m","max_tokens":4}""", "messages: Field required")]
    [InlineData("""{"model":"m","max_tokens":4,"messages":[{"role":"system","content":"hi"}]}""", "messages.0.role: Input should be 'user' or 'assistant'")]
    [InlineData("""{"model":"m","max_tokens":4,"messages":[""", "body: JSON decode error")]
    public async Task Create_InvalidBody_400InAnthropicShape(string json, string detail)
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/messages", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertAnthropicError(body, "invalid_request_error");
        Assert.Contains(detail, body.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(529, "overloaded_error")]
    public async Task Create_ForcedErrorHeader_AnthropicShapeWithTheStatusType(int status, string type)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json.Body(Body(4)) };
        request.Headers.Add(FailureInjector.ForceHeader, status.ToString());

        using var response = await _sim.Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        AssertAnthropicError(await Json.ReadAsync(response), type);
    }

    [Fact]
    public async Task Create_InjectedFailure_AnthropicShape()
    {
        await using var failing = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--failure-rate", "1", "--failure-types", "rate_limit");

        var (response, body) = await Json.PostAsync(failing.Client, "/v1/messages", Body(4));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        AssertAnthropicError(body, "rate_limit_error");
    }

    [Fact]
    public async Task Create_UnknownModel_404NotFoundError()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/messages", """{"model":"other","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertAnthropicError(body, "not_found_error");
    }

    [Fact]
    public async Task CreateStreaming_StreamErrorInjected_ErrorEventInAnthropicShape()
    {
        await using var failing = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "1", "--failure-types", "stream_error");

        var (response, events) = await NamedEvents.PostAsync(failing.Client, "/v1/messages", """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("error", events[^1].Name);
        AssertAnthropicError(events[^1].Data, "api_error");
        Assert.Equal(5, events.Count(e => e.Name == "content_block_delta"));
        Assert.DoesNotContain(events, e => e.Name == "message_stop");
    }

    [Fact]
    public async Task CountTokens_Messages_TheInputTokensTheAnswerWouldReport()
    {
        var (response, count) = await Json.PostAsync(_sim.Client, "/v1/messages/count_tokens",
            """{"model":"m","system":"Be brief.","messages":[{"role":"user","content":"one two three four"}]}""");
        var (_, answer) = await Json.PostAsync(_sim.Client, "/v1/messages",
            """{"model":"m","system":"Be brief.","messages":[{"role":"user","content":"one two three four"}],"max_tokens":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ChatPrompt("Be brief.", "one two three four"), count.GetProperty("input_tokens").GetInt32());
        Assert.Equal(count.GetProperty("input_tokens").GetInt32(), answer.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(1, _sim.RequestsServed);
    }

    [Fact]
    public async Task CountTokens_ContentBlocks_TextToolUseAndToolResultsCountImagesDoNot()
    {
        var (_, count) = await Json.PostAsync(_sim.Client, "/v1/messages/count_tokens", """
            {"model":"m","system":[{"type":"text","text":"Be brief."}],"messages":[
              {"role":"user","content":[{"type":"text","text":"What is here?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"look","input":{"at":"it"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"a cat"}]}]}
            ]}
            """);

        Assert.Equal(ChatPrompt("Be brief.", "What is here?", """look {"at":"it"}""", "a cat"), count.GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task CountTokens_UnknownModel_404InAnthropicShape()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/messages/count_tokens", """{"model":"other","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertAnthropicError(body, "not_found_error");
    }

    [Fact]
    public async Task Create_ApiKeySet_XApiKeyAcceptedAndRefusalInAnthropicShape()
    {
        await using var keyed = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--api-key", "secret");
        using var withKey = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json.Body(Body(2)) };
        withKey.Headers.Add("x-api-key", "secret");

        using var accepted = await keyed.Client.SendAsync(withKey);
        var (refused, refusal) = await Json.PostAsync(keyed.Client, "/v1/messages", Body(2));
        var (chat, chatRefusal) = await Json.PostAsync(keyed.Client, "/v1/chat/completions", """{"model":"m","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        AssertAnthropicError(refusal, "authentication_error");
        // Elsewhere vLLM's own bare answer, and no x-api-key.
        Assert.Equal(HttpStatusCode.Unauthorized, chat.StatusCode);
        Assert.Equal("Unauthorized", chatRefusal.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Create_EngineModelNextTurn_CacheReadTokensLeftOutOfInputTokens()
    {
        await using var engine = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "h100",
            "--model-profile", "llama-3.1-8b", "--time-scale", "100");
        var question = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}"));
        var firstTurn = $$"""{"role":"user","content":"{{question}}"}""";
        var (_, first) = await Json.PostAsync(engine.Client, "/v1/messages", $$"""{"model":"m","max_tokens":40,"messages":[{{firstTurn}}]}""");
        var answer = first.GetProperty("content")[0].GetProperty("text").GetString();

        var (_, second) = await Json.PostAsync(engine.Client, "/v1/messages",
            $$"""{"model":"m","max_tokens":2,"messages":[{{firstTurn}},{"role":"assistant","content":"{{answer}}"},{"role":"user","content":"and then?"}]}""");

        var usage = second.GetProperty("usage");
        var cached = usage.GetProperty("cache_read_input_tokens").GetInt32();
        Assert.True(cached >= 16, $"{cached} tokens read from the cache");
        Assert.Equal(ChatPrompt(question, answer!, "and then?"), usage.GetProperty("input_tokens").GetInt32() + cached);
    }
}
