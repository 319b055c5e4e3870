using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>The simulator imitating vLLM: endpoints, shapes, validation and error bodies (shared/reference/backends.md §1, §3).</summary>
[Trait("Category", "Integration")]
public class VllmSimulatorTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync(
        "--engine", "vllm", "--model", "org/Base-7B", "--served-model-name", "base", "alias", "--lora-modules", "sql=/adapters/sql",
        "--max-model-len", "64", "--seed", "1");

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string json) => Json.PostAsync(_sim.Client, "/v1/chat/completions", json);

    private static void AssertVllmError(JsonElement body, int code, string type, string? param)
    {
        var error = body.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Models_ListsAliasesThenAdapters_InVllmShape()
    {
        var body = await Json.GetAsync(_sim.Client, "/v1/models");

        var cards = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["base", "alias", "sql"], cards.Select(c => c.GetProperty("id").GetString()));
        Assert.All(cards, c => Assert.Equal("vllm", c.GetProperty("owned_by").GetString()));
        Assert.Equal("org/Base-7B", cards[1].GetProperty("root").GetString());
        Assert.Equal(JsonValueKind.Null, cards[0].GetProperty("parent").ValueKind);
        Assert.Equal(64, cards[0].GetProperty("max_model_len").GetInt32());
        Assert.Equal("base", cards[2].GetProperty("parent").GetString());
        Assert.Equal("/adapters/sql", cards[2].GetProperty("root").GetString());
        Assert.Equal(JsonValueKind.Null, cards[2].GetProperty("max_model_len").ValueKind);
        Assert.Equal("model_permission", cards[0].GetProperty("permission")[0].GetProperty("object").GetString());
    }

    [Fact]
    public async Task ModelRetrieve_IsNotARouteInVllm()
    {
        var response = await _sim.Client.GetAsync("/v1/models/base");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"detail":"Not Found"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Chat_Alias_AnswersWithFirstServedNameAndUsage()
    {
        var (response, body) = await Chat("""{"model":"alias","messages":[{"role":"user","content":"Hello there"}],"max_tokens":5}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal("base", body.GetProperty("model").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("stop_reason").ValueKind);
        var usage = body.GetProperty("usage");
        // 1 message: 4 template tokens + 2 words, plus 3 for the assistant prompt.
        Assert.Equal(9, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(14, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(5, LlmHost.Simulator.Engine.SimpleTokenizer.Count(choice.GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Chat_SameSeedAndPrompt_GivesSameAnswer_OtherSeedDiffers()
    {
        const string Request = """{"model":"base","messages":[{"role":"user","content":"Tell me"}],"seed":%S%}""";
        string Content(JsonElement b) => b.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

        var first = Content((await Chat(Request.Replace("%S%", "5"))).Body);
        var again = Content((await Chat(Request.Replace("%S%", "5"))).Body);
        var other = Content((await Chat(Request.Replace("%S%", "6"))).Body);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Chat_NoModel_UsesFirstServedName()
    {
        var (response, body) = await Chat("""{"messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("base", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_AdapterName_AnswersWithAdapterName()
    {
        var (_, body) = await Chat("""{"model":"sql","messages":[{"role":"user","content":"x"}],"max_tokens":1}""");

        Assert.Equal("sql", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_UnknownModel_Is404NotFoundError()
    {
        var (response, body) = await Chat("""{"model":"gpt-9","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertVllmError(body, 404, "NotFoundError", "model");
        Assert.Equal("The model `gpt-9` does not exist.", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("""{"model":"base"}""", "messages: Field required")]
    [InlineData("""{"model":"base","messages":5}""", "messages: Input should be a valid value of its type")]
    [InlineData("""{"model":"base","messages":[""", "body: JSON decode error")]
    public async Task Chat_InvalidBody_Is400BadRequest(string json, string detail)
    {
        var (response, body) = await Chat(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "Bad Request", null);
        Assert.Contains(detail, body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_StreamOptionsWithoutStream_Is400()
    {
        var (response, body) = await Chat("""{"model":"base","messages":[],"stream_options":{"include_usage":true}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "Bad Request", "stream_options");
        Assert.Contains("Stream options can only be defined when `stream=True`.", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("\"n\":0", "n")]
    [InlineData("\"max_tokens\":0", "max_tokens")]
    public async Task Chat_NonPositiveCounts_Are400(string field, string param)
    {
        var (response, body) = await Chat($$"""{"model":"base","messages":[],{{field}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "BadRequestError", param);
    }

    [Fact]
    public async Task Chat_PromptOverContext_Is400WithInputTokensParam()
    {
        var words = string.Join(' ', Enumerable.Repeat("word", 70));
        var (response, body) = await Chat($$"""{"model":"base","messages":[{"role":"user","content":"{{words}}"}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "BadRequestError", "input_tokens");
        Assert.Equal("This model's maximum context length is 64 tokens. However, your request has 77 input tokens. Please reduce the length of the input messages.",
            body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_PromptPlusMaxTokensOverContext_Is400WithMaxTokensParam()
    {
        var (response, body) = await Chat("""{"model":"base","messages":[{"role":"user","content":"a b c"}],"max_tokens":60}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "BadRequestError", "max_tokens");
        Assert.Equal("'max_tokens' or 'max_completion_tokens' is too large: 60. This model's maximum context length is 64 tokens and your request has 10 input tokens (60 > 64 - 10).",
            body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_NoMaxTokens_StopsWithinTheContext()
    {
        var words = string.Join(' ', Enumerable.Repeat("w", 55));
        var (_, body) = await Chat($$"""{"model":"base","messages":[{"role":"user","content":"{{words}}"}],"ignore_eos":true}""");

        // 62 prompt tokens leave 2 for the answer.
        Assert.Equal(2, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Completions_DefaultMaxTokensIs16_AndListPromptGivesOneChoiceEach()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/completions", """{"model":"base","prompt":["one two","three"],"n":2,"ignore_eos":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString());
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal(16, LlmHost.Simulator.Engine.SimpleTokenizer.Count(c.GetProperty("text").GetString())));
        Assert.Equal(2 + 1, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(64, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_TokenIdPrompt_CountsTheIds()
    {
        var (_, body) = await Json.PostAsync(_sim.Client, "/v1/completions", """{"model":"base","prompt":[1,2,3,4],"max_tokens":1}""");

        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Completions_NoPrompt_Is400()
    {
        var (response, body) = await Json.PostAsync(_sim.Client, "/v1/completions", """{"model":"base"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertVllmError(body, 400, "BadRequestError", null);
    }

    [Fact]
    public async Task Tokenize_ChatForm_CountsLikeUsage()
    {
        const string Messages = """[{"role":"system","content":"Be brief."},{"role":"user","content":"What is 2+2?"}]""";
        var (_, chat) = await Chat($$"""{"model":"base","messages":{{Messages}},"max_tokens":1}""");
        var (response, tokenized) = await Json.PostAsync(_sim.Client, "/tokenize", $$"""{"model":"base","messages":{{Messages}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(chat.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), tokenized.GetProperty("count").GetInt32());
        Assert.Equal(tokenized.GetProperty("count").GetInt32(), tokenized.GetProperty("tokens").GetArrayLength());
        Assert.Equal(64, tokenized.GetProperty("max_model_len").GetInt32());
    }

    [Fact]
    public async Task Tokenize_SameText_GivesSameIds()
    {
        var (_, a) = await Json.PostAsync(_sim.Client, "/tokenize", """{"prompt":"hello world, hello"}""");

        var ids = a.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids[0], ids[3]);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task ServerRoutes_HealthVersionLoad_Answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _sim.Client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _sim.Client.GetAsync("/ping")).StatusCode);
        Assert.Equal("0.11.0", (await Json.GetAsync(_sim.Client, "/version")).GetProperty("version").GetString());
        Assert.Equal(0, (await Json.GetAsync(_sim.Client, "/load")).GetProperty("server_load").GetInt32());
    }

    [Fact]
    public async Task RequestId_IsEchoed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"messages":[],"max_tokens":1}""") };
        request.Headers.Add("X-Request-Id", "req-123");

        using var response = await _sim.Client.SendAsync(request);

        Assert.Equal("req-123", response.Headers.GetValues("X-Request-Id").Single());
    }
}
