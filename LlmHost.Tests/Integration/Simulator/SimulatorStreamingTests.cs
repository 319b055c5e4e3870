using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>SSE framing, the usage chunk and [DONE], as vLLM sends them (shared/reference/backends.md §3.3).</summary>
[Trait("Category", "Integration")]
public class SimulatorStreamingTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--max-model-len", "256");

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(HttpResponseMessage Response, List<JsonElement> Chunks)> Stream(string path, string json)
    {
        var response = await _sim.Client.PostAsync(path, Json.Body(json));
        var events = Sse.ParseEvents(await response.Content.ReadAsStringAsync());
        return (response, Sse.JsonChunks(events));
    }

    [Fact]
    public async Task ChatStream_WithIncludeUsage_RoleChunkTokensUsageChunkDone()
    {
        var (response, chunks) = await Stream("/v1/chat/completions",
            """{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":4,"stream":true,"stream_options":{"include_usage":true}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1 + 4 + 1, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        var role = chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", role.GetProperty("role").GetString());
        Assert.Equal("", role.GetProperty("content").GetString());
        Assert.All(chunks[1..4], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
        Assert.Equal("length", chunks[4].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks[..5], c => Assert.False(c.TryGetProperty("usage", out _)));
        var usageChunk = chunks[5];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.Equal(4, usageChunk.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(8, usageChunk.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatStream_WithoutStreamOptions_HasNoUsageChunk()
    {
        var (_, chunks) = await Stream("/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":3,"stream":true}""");

        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(1, c.GetProperty("choices").GetArrayLength()));
    }

    [Fact]
    public async Task ChatStream_EmptyStreamOptions_MeansIncludeUsage()
    {
        var (_, chunks) = await Stream("/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":2,"stream":true,"stream_options":{}}""");

        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(2, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatStream_ContinuousUsageStats_EveryChunkCarriesRunningUsage()
    {
        var (_, chunks) = await Stream("/v1/chat/completions",
            """{"model":"m","messages":[],"max_tokens":3,"stream":true,"stream_options":{"include_usage":true,"continuous_usage_stats":true}}""");

        Assert.Equal([0, 1, 2, 3, 3], chunks.Select(c => c.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task ChatStream_TwoChoices_InterleavesIndexes()
    {
        var (_, chunks) = await Stream("/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":2,"n":2,"stream":true}""");

        Assert.Equal([0, 1, 0, 1, 0, 1], chunks.Select(c => c.GetProperty("choices")[0].GetProperty("index").GetInt32()));
    }

    [Fact]
    public async Task ChatStream_ConcatenatedDeltas_EqualNonStreamedAnswer()
    {
        const string Body = """{"model":"m","messages":[{"role":"user","content":"same"}],"max_tokens":8,"seed":3%S%}""";
        var (_, whole) = await Json.PostAsync(_sim.Client, "/v1/chat/completions", Body.Replace("%S%", ""));
        var (_, chunks) = await Stream("/v1/chat/completions", Body.Replace("%S%", ",\"stream\":true"));

        var streamed = string.Concat(chunks.Skip(1).Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), streamed);
    }

    [Fact]
    public async Task CompletionsStream_TextChunks_NoRoleChunk()
    {
        var (_, chunks) = await Stream("/v1/completions", """{"model":"m","prompt":"x","max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}""");

        Assert.Equal(4, chunks.Count);
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.True(chunks[0].GetProperty("choices")[0].TryGetProperty("text", out _));
        Assert.Equal(3, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_ErrorBeforeFirstToken_KeepsItsHttpStatus()
    {
        var response = await _sim.Client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"nope","messages":[],"stream":true}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
    }
}
