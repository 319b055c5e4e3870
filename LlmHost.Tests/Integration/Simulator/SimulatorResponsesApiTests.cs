using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmHost.Simulator.Engine;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>
/// <c>/v1/responses</c> as vLLM serves it: the Response object, its named-event stream, stored responses for
/// retrieval and follow-ups, cancel, and errors always in the nested OpenAI envelope.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class SimulatorResponsesApiTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    // The chat prompt of one system and one user message: each message's words plus the template's tokens.
    private static int ChatPrompt(params string[] contents) =>
        SimpleTokenizer.TokensForGenerationPrompt + contents.Sum(c => SimpleTokenizer.TokensPerMessage + SimpleTokenizer.Count(c));

    private static string OutputText(JsonElement response) =>
        response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString()!;

    private static int Usage(JsonElement response, string name) => response.GetProperty("usage").GetProperty(name).GetInt32();

    private static JsonElement Error(JsonElement body) => body.GetProperty("error");

    [GeneratedRegex("^resp_[0-9a-f]{32}$")]
    private static partial Regex ResponseId();

    [Fact]
    public async Task Create_NotStreamed_ResponseObjectWithTextAndUsage()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/responses",
            """{"model":"m","instructions":"Be brief.","input":"Hello there","max_output_tokens":200,"metadata":{"k":"v"}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Matches(ResponseId(), body.GetProperty("id").GetString());
        Assert.Equal("response", body.GetProperty("object").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("incomplete_details").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").ValueKind);
        Assert.Equal("Be brief.", body.GetProperty("instructions").GetString());
        Assert.Equal(200, body.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal("m", body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("store").GetBoolean());
        Assert.Equal("text", body.GetProperty("text").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("auto", body.GetProperty("tool_choice").GetString());
        Assert.Equal("v", body.GetProperty("metadata").GetProperty("k").GetString());
        var item = Assert.Single(body.GetProperty("output").EnumerateArray());
        Assert.Equal("message", item.GetProperty("type").GetString());
        Assert.StartsWith("msg_", item.GetProperty("id").GetString());
        Assert.Equal("assistant", item.GetProperty("role").GetString());
        Assert.Equal("completed", item.GetProperty("status").GetString());
        var part = Assert.Single(item.GetProperty("content").EnumerateArray());
        Assert.Equal("output_text", part.GetProperty("type").GetString());
        Assert.Equal(0, part.GetProperty("annotations").GetArrayLength());
        var text = OutputText(body);
        Assert.Equal(ChatPrompt("Be brief.", "Hello there"), Usage(body, "input_tokens"));
        Assert.Equal(SimpleTokenizer.Count(text), Usage(body, "output_tokens"));
        Assert.Equal(Usage(body, "input_tokens") + Usage(body, "output_tokens"), Usage(body, "total_tokens"));
        Assert.Equal(0, body.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(0, body.GetProperty("usage").GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
    }

    [Fact]
    public async Task Create_MaxOutputTokensCutsTheAnswer_IncompleteForMaxOutputTokens()
    {
        var (_, body) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"Tell me everything","max_output_tokens":3}""");

        Assert.Equal("incomplete", body.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", body.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(3, Usage(body, "output_tokens"));
    }

    [Fact]
    public async Task Create_BodyMaxTokens_IgnoredForMaxOutputTokens()
    {
        var (_, body) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"hi","max_tokens":1,"max_output_tokens":4}""");

        Assert.Equal(4, Usage(body, "output_tokens"));
    }

    [Fact]
    public async Task Create_InputItems_CountedAsTheChatMessagesTheyBecome()
    {
        var (_, body) = await Json.PostAsync(_sim.Client, "/v1/responses", """
            {"model":"m","max_output_tokens":2,"input":[
              {"role":"user","content":"What is the weather?"},
              {"type":"function_call","call_id":"c1","name":"weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"c1","output":"sunny"},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"And tomorrow?"},{"type":"input_image","image_url":"data:,"}]},
              {"type":"reasoning","id":"r1","summary":[]}
            ]}
            """);

        Assert.Equal(ChatPrompt("What is the weather?", """weather {"city":"Paris"}""", "sunny", "And tomorrow?"), Usage(body, "input_tokens"));
    }

    [Fact]
    public async Task CreateStreaming_Events_InOrderAndTheCompletedUsageCountsTheDeltas()
    {
        var (response, events) = await NamedEvents.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"Tell me more","max_output_tokens":7,"stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var deltas = events.Where(e => e.Name == "response.output_text.delta").ToList();
        Assert.Equal(7, deltas.Count);
        string[] expected = ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            .. Enumerable.Repeat("response.output_text.delta", deltas.Count),
            "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"];
        Assert.Equal(expected, events.Select(e => e.Name));
        Assert.All(events, e => Assert.Equal(e.Name, e.Type));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));
        var created = events[0].Data.GetProperty("response");
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal(0, created.GetProperty("output").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("usage").ValueKind);
        var itemId = events[2].Data.GetProperty("item").GetProperty("id").GetString();
        Assert.All(events[3..^2], e => Assert.Equal(itemId, e.Data.GetProperty("item_id").GetString()));
        var text = string.Concat(deltas.Select(d => d.Data.GetProperty("delta").GetString()));
        Assert.Equal(text, events[^4].Data.GetProperty("text").GetString());
        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal(created.GetProperty("id").GetString(), completed.GetProperty("id").GetString());
        Assert.Equal(deltas.Count, Usage(completed, "output_tokens"));
        Assert.Equal(ChatPrompt("Tell me more"), Usage(completed, "input_tokens"));
        Assert.Equal(text, OutputText(completed));
        Assert.Equal("incomplete", completed.GetProperty("status").GetString());
    }

    [Fact]
    public async Task CreateStreaming_Stored_RetrievedAsTheCompletedResponse()
    {
        var (_, events) = await NamedEvents.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"Stream it","max_output_tokens":5,"stream":true}""");
        var completed = events[^1].Data.GetProperty("response");

        var retrieved = await Json.GetAsync(_sim.Client, $"/v1/responses/{completed.GetProperty("id").GetString()}");

        Assert.Equal(completed.GetRawText(), retrieved.GetRawText());
    }

    [Fact]
    public async Task Create_PreviousResponseId_PromptGrowsByTheStoredConversation()
    {
        var (_, first) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","instructions":"Be brief.","input":"Remember the number seven.","max_output_tokens":6}""");
        var firstId = first.GetProperty("id").GetString();

        var (response, second) = await Json.PostAsync(_sim.Client, "/v1/responses",
            $$"""{"model":"m","instructions":"Be brief.","input":"And then?","max_output_tokens":6,"previous_response_id":"{{firstId}}"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(firstId, second.GetProperty("previous_response_id").GetString());
        // The instructions once, then the first turn's input and answer, then this input.
        Assert.Equal(ChatPrompt("Be brief.", "Remember the number seven.", OutputText(first), "And then?"), Usage(second, "input_tokens"));
    }

    [Fact]
    public async Task Create_UnknownPreviousResponseId_404InVllmsWords()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"hi","previous_response_id":"resp_0123456789abcdef"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Response with id 'resp_0123456789abcdef' not found.", Error(body).GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", Error(body).GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, Error(body).GetProperty("param").ValueKind);
        Assert.Equal(404, Error(body).GetProperty("code").GetInt32());
        Assert.Equal(0, _sim.RequestsServed);
    }

    [Fact]
    public async Task Retrieve_Stored_TheSameJsonAsCreated()
    {
        var created = await _sim.Client.PostAsync("/v1/responses", Json.Body("""{"model":"m","input":"keep me","max_output_tokens":4}"""));
        var createdText = await created.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(createdText).RootElement.GetProperty("id").GetString();

        using var retrieved = await _sim.Client.GetAsync($"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
        Assert.Equal("application/json", retrieved.Content.Headers.ContentType!.MediaType);
        Assert.Equal(createdText, await retrieved.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Retrieve_Unknown_404NestedError()
    {
        using var response = await _sim.Client.GetAsync("/v1/responses/resp_unknown");
        var body = await Json.ReadAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Response with id 'resp_unknown' not found.", Error(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Cancel_StoredSynchronousResponse_400()
    {
        var (_, created) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"done already","max_output_tokens":2}""");

        var (response, body) = await Json.PostAsync(_sim.Client, $"/v1/responses/{created.GetProperty("id").GetString()}/cancel", "");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Cannot cancel a synchronous response.", Error(body).GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", Error(body).GetProperty("type").GetString());
        Assert.Equal(400, Error(body).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Cancel_Unknown_404()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/responses/resp_unknown/cancel", "");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Response with id 'resp_unknown' not found.", Error(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Delete_NoSuchRoute_405()
    {
        var (_, created) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"hi","max_output_tokens":2}""");

        using var response = await _sim.Client.DeleteAsync($"/v1/responses/{created.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Create_StoreFalse_NeitherRetrievableNorContinued()
    {
        var (created, body) = await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"forget me","store":false,"max_output_tokens":3}""");
        var id = body.GetProperty("id").GetString();

        using var retrieved = await _sim.Client.GetAsync($"/v1/responses/{id}");
        var (followUp, _) = await Json.PostAsync(_sim.Client, "/v1/responses", $$"""{"model":"m","input":"again","previous_response_id":"{{id}}"}""");

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.False(body.GetProperty("store").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, retrieved.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, followUp.StatusCode);
    }

    [Theory]
    [InlineData("""{"model":"m"}""", "input: Field required")]
    [InlineData("""{"model":"m","input":42}""", "input: Input should be a valid string or list")]
    [InlineData("""{"model":"m","input":[{"content":"no role"}]}""", "input.0.role: Field required")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":"#"}""", "max_output_tokens: Input should be a valid integer")]
    public async Task Create_InvalidBody_400NestedEvenWithLegacyErrors(string json, string detail)
    {
        await using var legacy = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--legacy-errors");

        var (response, body) = await Json.PostAsync(legacy.Client, "/v1/responses", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith(detail, Error(body).GetProperty("message").GetString());
        Assert.Equal(400, Error(body).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Create_UnknownModelOnSglang_404Nested()
    {
        await using var sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m");

        var (response, body) = await Json.PostAsync(sglang.Client, "/v1/responses", """{"model":"other","input":"hi"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, Error(body).GetProperty("code").GetInt32());
        Assert.False(body.TryGetProperty("object", out _));
    }

    [Fact]
    public async Task Create_PromptLongerThanTheContext_400AsChat()
    {
        await using var small = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--max-model-len", "16");

        var (response, body) = await Json.PostAsync(small.Client, "/v1/responses", """{"model":"m","input":"one two three four five six seven eight nine ten"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("maximum context length is 16 tokens", Error(body).GetProperty("message").GetString());
    }

    [Fact]
    public async Task CreateStreaming_StreamErrorInjected_ErrorEventAndNoCompleted()
    {
        await using var failing = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "1", "--failure-types", "stream_error");

        var (response, events) = await NamedEvents.PostAsync(failing.Client, "/v1/responses", """{"model":"m","input":"hi","max_output_tokens":10,"stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var error = events[^1];
        Assert.Equal("error", error.Name);
        Assert.Equal("server_error", error.Data.GetProperty("code").GetString());
        Assert.Equal(events.Count - 1, error.Data.GetProperty("sequence_number").GetInt32());
        Assert.Equal(5, events.Count(e => e.Name == "response.output_text.delta"));
        Assert.DoesNotContain(events, e => e.Name == "response.completed");
    }

    [Fact]
    public async Task Create_ForcedErrorHeader_NestedWithTheStatus()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Json.Body("""{"model":"m","input":"hi"}""") };
        request.Headers.Add(LlmHost.Simulator.Errors.FailureInjector.ForceHeader, "429");

        using var response = await _sim.Client.SendAsync(request);
        var body = await Json.ReadAsync(response);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(429, Error(body).GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Create_EngineModelFollowUp_CachedTokensReported()
    {
        await using var engine = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "h100",
            "--model-profile", "llama-3.1-8b", "--time-scale", "100");
        var question = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}"));
        var (_, first) = await Json.PostAsync(engine.Client, "/v1/responses", $$"""{"model":"m","input":"{{question}}","max_output_tokens":40}""");

        var (_, second) = await Json.PostAsync(engine.Client, "/v1/responses",
            $$"""{"model":"m","input":"and then?","max_output_tokens":2,"previous_response_id":"{{first.GetProperty("id").GetString()}}"}""");

        // The first turn (prompt and answer) comes back from the prefix cache, in whole blocks of 16.
        var cached = second.GetProperty("usage").GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.InRange(cached, Usage(first, "input_tokens") + Usage(first, "output_tokens") - 16, Usage(second, "input_tokens"));
    }

    [Fact]
    public async Task Create_EveryAnswer_CountedInTheEngineMetrics()
    {
        await Json.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"one","max_output_tokens":3}""");
        await NamedEvents.PostAsync(_sim.Client, "/v1/responses", """{"model":"m","input":"two","max_output_tokens":3,"stream":true}""");

        var metrics = _sim.Get<LlmHost.Simulator.Metrics.EngineMetrics>();
        Assert.Equal(2, metrics.FinishedCount("length"));
        Assert.Equal(2, metrics.GenerationTokensPerRequest.Count);
    }
}
