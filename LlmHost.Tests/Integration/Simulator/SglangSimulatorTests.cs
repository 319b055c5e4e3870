using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>The simulator imitating SGLang: model naming, flat errors, its own routes (shared/reference/backends.md §2).</summary>
[Trait("Category", "Integration")]
public class SglangSimulatorTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync(
        "--engine", "sglang", "--model", "org/Llama-8B", "--served-model-name", "llama", "--lora-paths", "tone=/adapters/tone",
        "--max-model-len", "64", "--enable-metrics");

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private Task<(HttpResponseMessage Response, JsonElement Body)> Chat(string json) => Json.PostAsync(_sim.Client, "/v1/chat/completions", json);

    private static void AssertFlatError(JsonElement body, int code, string type)
    {
        Assert.Equal("error", body.GetProperty("object").GetString());
        Assert.Equal(code, body.GetProperty("code").GetInt32());
        Assert.Equal(type, body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Models_InSglangShape_AdapterHasParent_NoPermission()
    {
        var cards = (await Json.GetAsync(_sim.Client, "/v1/models")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(["llama", "tone"], cards.Select(c => c.GetProperty("id").GetString()));
        Assert.All(cards, c => Assert.Equal("sglang", c.GetProperty("owned_by").GetString()));
        Assert.All(cards, c => Assert.False(c.TryGetProperty("permission", out _)));
        Assert.False(cards[0].TryGetProperty("parent", out _));
        Assert.Equal("llama", cards[0].GetProperty("root").GetString());
        Assert.Equal("llama", cards[1].GetProperty("parent").GetString());
    }

    [Fact]
    public async Task ModelRetrieve_KnownAndUnknown()
    {
        var known = await Json.GetAsync(_sim.Client, "/v1/models/llama");
        var unknown = await _sim.Client.GetAsync("/v1/models/other");
        var error = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal("llama", known.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("The model 'other' does not exist", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_BaseColonAdapter_SelectsAdapter()
    {
        var (response, body) = await Chat("""{"model":"llama:tone","messages":[{"role":"user","content":"x"}],"max_tokens":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("llama:tone", body.GetProperty("model").GetString());
        Assert.False(body.GetProperty("choices")[0].TryGetProperty("stop_reason", out _));
    }

    [Fact]
    public async Task Chat_LoraPathField_SelectsAdapter()
    {
        var (response, _) = await Chat("""{"model":"llama","lora_path":"tone","messages":[],"max_tokens":1}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("tone")]
    [InlineData("llama:missing")]
    [InlineData("other")]
    public async Task Chat_NotServedName_Is404FlatNotFound(string model)
    {
        var (response, body) = await Chat($$"""{"model":"{{model}}","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        AssertFlatError(body, 404, "NotFound");
        Assert.Equal($"Model '{model}' is not served.", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_StreamOptionsWithoutStream_IsAccepted()
    {
        var (response, _) = await Chat("""{"model":"llama","messages":[],"max_tokens":1,"stream_options":{"include_usage":true}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Chat_ContextOverflow_UsesSglangWording()
    {
        var words = string.Join(' ', Enumerable.Repeat("w", 70));
        var (tooLong, longBody) = await Chat($$"""{"model":"llama","messages":[{"role":"user","content":"{{words}}"}]}""");
        var (tooMany, manyBody) = await Chat("""{"model":"llama","messages":[{"role":"user","content":"a"}],"max_tokens":100}""");

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        AssertFlatError(longBody, 400, "BadRequestError");
        Assert.Equal("The input (77 tokens) is longer than the model's context length (64 tokens).", longBody.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.StartsWith("Requested token count exceeds the model's maximum context length of 64 tokens. You requested a total of 108 tokens:",
            manyBody.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Chat_InvalidBody_IsFlat400()
    {
        var (response, body) = await Chat("""{"model":"llama","messages":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertFlatError(body, 400, "Bad Request");
    }

    [Fact]
    public async Task Tokenize_BothPaths_Answer()
    {
        var (v1, a) = await Json.PostAsync(_sim.Client, "/v1/tokenize", """{"prompt":"a b c"}""");
        var (bare, b) = await Json.PostAsync(_sim.Client, "/tokenize", """{"prompt":"a b c"}""");

        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Equal(3, a.GetProperty("count").GetInt32());
        Assert.Equal(a.GetProperty("tokens").ToString(), b.GetProperty("tokens").ToString());
    }

    [Fact]
    public async Task ServerRoutes_ModelInfoServerInfoLoadHealthGenerate_Answer()
    {
        Assert.Equal("org/Llama-8B", (await Json.GetAsync(_sim.Client, "/get_model_info")).GetProperty("model_path").GetString());
        Assert.True((await Json.GetAsync(_sim.Client, "/model_info")).GetProperty("is_generation").GetBoolean());
        Assert.Equal(64, (await Json.GetAsync(_sim.Client, "/get_server_info")).GetProperty("context_length").GetInt32());
        var load = await Json.GetAsync(_sim.Client, "/get_load");
        Assert.Equal(0, load[0].GetProperty("dp_rank").GetInt32());
        Assert.Equal(0, load[0].GetProperty("num_waiting_reqs").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await _sim.Client.GetAsync("/health_generate")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _sim.Client.GetAsync("/version")).StatusCode);
    }
}
