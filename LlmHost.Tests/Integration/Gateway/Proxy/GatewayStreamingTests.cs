using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LlmHost.Gateway.Metering;

namespace LlmHost.Tests.Integration.Gateway.Proxy;

/// <summary>Streams through the gateway: unbuffered, the injected usage chunk, metering, a backend dying mid-stream.</summary>
[Trait("Category", "Integration")]
[Collection(RunsAlone.Name)] // times chunk arrivals: the rest of the suite must not crowd the two cores meanwhile
public class GatewayStreamingTests
{
    private static string Config(SimulatorHost sim) => $$"""
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        backends:
          - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
        """;

    private static async Task<List<JsonElement>> StreamAsync(GatewayHost gateway, string body)
    {
        var response = await gateway.Client.PostAsync("/v1/chat/completions", Json.Body(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Sse.JsonChunks(Sse.ParseEvents(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Stream_ChunksArriveAsProduced_NotBuffered()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "500", "--itl-ms", "50");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body("""{"model":"m","messages":[],"max_tokens":10,"ignore_eos":true,"stream":true}"""),
        };

        var clock = Stopwatch.StartNew();
        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var arrivals = new List<double>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                arrivals.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Assert.Equal(10, arrivals.Count);
        // The first token is out after the 500 ms TTFT; the second is produced 50 ms later. Had the gateway buffered,
        // the first would arrive with the last, ~950 ms in.
        Assert.InRange(arrivals[0], 480, 3000);
        // Spread over the 450 ms the engine took to produce them (a busy reader may pick two up together, so the
        // spacing of any one pair proves nothing).
        Assert.InRange(arrivals[^1] - arrivals[0], 9 * 50 * 0.8, 5000);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"stream_options\":{\"include_usage\":false}")]
    [InlineData(",\"stream_options\":{}")]
    public async Task Stream_ClientDidNotAskForUsage_InjectedChunkIsStripped_ButMetered(string streamOptions)
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));

        var chunks = await StreamAsync(gateway, $$"""{"model":"m","messages":[{"role":"user","content":"a b"}],"max_tokens":4,"ignore_eos":true,"stream":true{{streamOptions}}}""");

        Assert.Equal(5, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(1, c.GetProperty("choices").GetArrayLength()));
        var measurement = gateway.Observer.Last;
        Assert.Equal(UsageSource.Reported, measurement.Source);
        Assert.Equal(9, measurement.PromptTokens);
        Assert.Equal(4, measurement.CompletionTokens);
    }

    [Fact]
    public async Task Stream_UpstreamSendsAContentLength_StrippedStreamStillEndsCleanly()
    {
        // An upstream (a caching proxy, a canned answer) may send a stream whole with its length; the gateway drops
        // the usage chunk from it, so that length must not reach the client.
        await using var engine = await FakeEngine.StartAsync("m");
        engine.Completions = async context =>
        {
            var body = System.Text.Encoding.UTF8.GetBytes(
                """data: {"id":"x","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"a"}}]}""" + "\n\n"
                + """data: {"id":"x","object":"chat.completion.chunk","model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}""" + "\n\n"
                + "data: [DONE]\n\n");
            context.Response.ContentType = "text/event-stream";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        };
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: fake, engine: vllm, mode: external, model: m, url: "{{engine.Address}}" }
            """);

        var chunks = await StreamAsync(gateway, """{"model":"m","messages":[{"role":"user","content":"a"}],"stream":true}""");

        Assert.Single(chunks);
        Assert.Equal((9, 1), (gateway.Observer.Last.PromptTokens, gateway.Observer.Last.CompletionTokens));
    }

    [Fact]
    public async Task Stream_ClientAskedForUsage_ChunkIsKept()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));

        var chunks = await StreamAsync(gateway, """{"model":"m","messages":[],"max_tokens":3,"ignore_eos":true,"stream":true,"stream_options":{"include_usage":true}}""");

        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(3, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(3, gateway.Observer.Last.CompletionTokens);
    }

    [Fact]
    public async Task NonStream_UsageIsMeteredFromTheBody()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "50");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));

        var (_, body) = await Json.PostAsync(gateway.Client, "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"hello"}],"max_tokens":6,"ignore_eos":true}""");

        var measurement = gateway.Observer.Last;
        Assert.Equal(UsageSource.Reported, measurement.Source);
        Assert.Equal(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), measurement.PromptTokens);
        Assert.Equal(6, measurement.CompletionTokens);
        Assert.Equal(measurement.PromptTokens + 6, measurement.TotalTokens);
        Assert.Equal(200, measurement.Status);
        Assert.Equal("sim", measurement.Backend);
        Assert.InRange(measurement.TimeToFirstToken!.Value.TotalMilliseconds, 45, 5000);
        Assert.True(measurement.Duration >= measurement.TimeToFirstToken);
    }

    [Fact]
    public async Task Stream_LongerThanTheIdleTimeoutWithTokensWithinIt_NotCut()
    {
        // 300 ms between tokens, 1 s allowed between bytes, about 3 s in all: the idle timer must follow each read.
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--itl-ms", "300");
        await using var gateway = await GatewayHost.StartAsync("gateway: { activity_timeout: 1s }\n" + Config(sim));

        var chunks = await StreamAsync(gateway, """{"model":"m","messages":[],"max_tokens":10,"ignore_eos":true,"stream":true}""");

        Assert.DoesNotContain(chunks, chunk => chunk.TryGetProperty("error", out _));
        Assert.Equal(10, chunks.Count(chunk => chunk.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices
            && choices.GetArrayLength() > 0 && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 }));
        Assert.False(gateway.Observer.Last.StreamError);
    }

    [Fact]
    public async Task Stream_BackendDiesMidway_ClientGetsErrorEventAndCleanEnd()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--drop-rate", "1", "--itl-ms", "5");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));

        var response = await gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"m","messages":[],"max_tokens":10,"ignore_eos":true,"stream":true}"""));
        var events = Sse.ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var error = JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        Assert.Equal("backend_error", error.GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("type").GetString());
        var measurement = gateway.Observer.Last;
        Assert.True(measurement.StreamError);
        // No usage chunk came: the tokens streamed before the drop were counted from the deltas.
        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(5, measurement.CompletionTokens);
    }

    [Fact]
    public async Task Stream_BackendErrorEvent_PassesThrough()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "1", "--failure-types", "stream_error");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));

        var events = Sse.ParseEvents(await (await gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"m","messages":[],"max_tokens":4,"ignore_eos":true,"stream":true}"""))).Content.ReadAsStringAsync());

        Assert.Equal("[DONE]", events[^1]);
        Assert.Contains("\"error\"", events[^2]);
        Assert.True(gateway.Observer.Last.StreamError);
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheUpstreamRequest()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--itl-ms", "100");
        await using var gateway = await GatewayHost.StartAsync(Config(sim));
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body("""{"model":"m","messages":[],"max_tokens":100,"ignore_eos":true,"stream":true}"""),
        };

        var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        await reader.ReadLineAsync(cancel.Token);
        response.Dispose();

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (sim.Get<LlmHost.Simulator.Metrics.EngineMetrics>().FinishedCount("abort") == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(1, sim.Get<LlmHost.Simulator.Metrics.EngineMetrics>().FinishedCount("abort"));
        Assert.Equal(0, sim.Get<LlmHost.Simulator.Engine.Scheduler>().Running);
    }
}
