using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>
/// <c>--engine-model roofline</c>: requests run through continuous batching over a paged KV cache with prefix caching;
/// a repeated long prompt is answered much sooner the second time, and the engine's metrics say why.
/// </summary>
[Trait("Category", "Integration")]
[Collection(RunsAlone.Name)] // compares wall-clock times: the rest of the suite must not crowd the two cores meanwhile
public sealed partial class SimulatorEngineModelTests
{
    private static string LongPrompt(int words) => string.Join(' ', Enumerable.Range(0, words).Select(i => $"w{i}"));

    private static async Task<TimeSpan> TimeToFirstByteAsync(SimulatorHost sim, string prompt, bool stream)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"{{prompt}}"}],"max_tokens":4,"ignore_eos":true,"stream":{{(stream ? "true" : "false")}}}"""),
        };
        using var response = await sim.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1];
        // The role chunk goes out with the headers on a stream: the first token is the second event.
        var events = 0;
        while (await body.ReadAsync(buffer) > 0)
        {
            if (!stream || (buffer[0] == '\n' && ++events == 4))
            {
                break;
            }
        }
        var elapsed = clock.Elapsed;
        await body.CopyToAsync(Stream.Null);
        return elapsed;
    }

    [Fact]
    public async Task RepeatedLongPrompt_PrefixCacheHitAndMuchFasterFirstToken()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "a100", "--model-profile", "llama-3.1-8b", "--max-model-len", "16384");
        var prompt = LongPrompt(6000);

        var cold = await TimeToFirstByteAsync(sim, prompt, stream: true);
        var warm = await TimeToFirstByteAsync(sim, prompt, stream: true);

        // A100: 6,000 prompt tokens take ~0.3 s to prefill; the cached prompt leaves one block to compute.
        Assert.True(cold > TimeSpan.FromMilliseconds(200), $"cold {cold.TotalMilliseconds} ms");
        Assert.True(warm < cold / 3, $"warm {warm.TotalMilliseconds} ms vs cold {cold.TotalMilliseconds} ms");
        var metrics = await sim.Client.GetStringAsync("/metrics");
        Assert.True(Sample(metrics, "vllm:prefix_cache_hits_total") >= 5_900, metrics);
        Assert.True(Sample(metrics, "vllm:prefix_cache_queries_total") >= 12_000);
        Assert.Contains("num_gpu_blocks=\"", metrics);
    }

    [Fact]
    public async Task PromptTokensDetailsAndTimeScale_CachedTokensInUsageAndSimulatedSecondsInMetrics()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "a100",
            "--model-profile", "llama-3.1-8b", "--max-model-len", "16384", "--enable-prompt-tokens-details", "--time-scale", "100");
        var body = $$"""{"model":"m","messages":[{"role":"user","content":"{{LongPrompt(6000)}}"}],"max_tokens":2,"ignore_eos":true}""";

        // Warmed up first (the JIT), so that the wall clock below is the engine's time.
        await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":2}""");
        var clock = Stopwatch.StartNew();
        var (_, cold) = await Json.PostAsync(sim.Client, "/v1/chat/completions", body);
        var coldWall = clock.Elapsed;
        var (_, warm) = await Json.PostAsync(sim.Client, "/v1/chat/completions", body);

        Assert.Equal(0, cold.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.True(warm.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32() >= 5_984);
        var metrics = await sim.Client.GetStringAsync("/metrics");
        // The cold prefill takes ~0.68 simulated seconds (2 × 8.03e9 × 6,000 FLOP plus attention, over 312 TFLOPS × 0.5),
        // about 7 ms on the wall clock at scale 100; the metrics report the engine's simulated seconds.
        Assert.True(coldWall < TimeSpan.FromMilliseconds(150), $"{coldWall.TotalMilliseconds} ms on the wall clock");
        Assert.InRange(Sample(metrics, "vllm:time_to_first_token_seconds_sum"), 0.6, 0.9);
    }

    [Fact]
    public async Task NonStreaming_AnswerCarriesEveryTokenAfterTheModelledTime()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--engine-model", "roofline", "--gpu", "l4", "--model-profile", "qwen2.5-7b", "--enable-metrics");

        var (response, body) = await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"hello"}],"max_tokens":20,"ignore_eos":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(20, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var metrics = await sim.Client.GetStringAsync("/metrics");
        Assert.Equal(0, Sample(metrics, "sglang:num_running_reqs"));
    }

    [Fact]
    public async Task CompletionPrompts_SharedPrefix_SharedBlocks()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "h100",
            "--model-profile", "qwen2.5-7b", "--max-model-len", "16384", "--enable-prompt-tokens-details");
        var shared = LongPrompt(3000);

        var (_, first) = await Json.PostAsync(sim.Client, "/v1/completions", $$"""{"model":"m","prompt":"{{shared}} first question","max_tokens":2}""");
        var (_, second) = await Json.PostAsync(sim.Client, "/v1/completions", $$"""{"model":"m","prompt":"{{shared}} another question entirely","max_tokens":2}""");
        var (_, ids) = await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18],"max_tokens":2}""");
        var (_, sameIds) = await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,99],"max_tokens":2}""");

        static int Cached(System.Text.Json.JsonElement body) => body.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.Equal(0, Cached(first));
        Assert.True(Cached(second) >= 2_992, $"{Cached(second)}");
        Assert.Equal(0, Cached(ids));
        Assert.Equal(16, Cached(sameIds));
    }

    [Fact]
    public async Task ChatNextTurn_AnswerSentBack_FoundInTheCacheWithThePrompt()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "h100",
            "--model-profile", "llama-3.1-8b", "--enable-prompt-tokens-details");
        var question = LongPrompt(20);

        var (_, first) = await Json.PostAsync(sim.Client, "/v1/chat/completions",
            $$"""{"model":"m","messages":[{"role":"user","content":"{{question}}"}],"max_tokens":200,"ignore_eos":true}""");
        var answer = first.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        var firstPrompt = first.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        var (_, second) = await Json.PostAsync(sim.Client, "/v1/chat/completions",
            $$"""{"model":"m","messages":[{"role":"user","content":"{{question}}"},{"role":"assistant","content":"{{answer}}"},{"role":"user","content":"and then?"}],"max_tokens":1}""");

        // The first turn's prompt (27 tokens) and its 200-token answer (all but the last one computed) are cached, in
        // whole blocks: far more than the prompt alone could give.
        var cached = second.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32();
        Assert.InRange(cached, firstPrompt + 200 - 16, firstPrompt + 200);
    }

    [Fact]
    public async Task BatchLargerThanTheKvCache_400NotAWedgedEngine()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "l4", "--model-profile", "llama-3.1-8b");
        var prompts = string.Join(',', Enumerable.Range(0, 16).Select(i => $"\"{LongPrompt(4000)} p{i}\""));

        var (tooBig, error) = await Json.PostAsync(sim.Client, "/v1/completions", $$"""{"model":"m","prompt":[{{prompts}}],"max_tokens":4}""");
        var (small, _) = await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":"hello","max_tokens":4}""");

        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Contains("do not fit in the engine's KV cache", error.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
    }

    [Theory]
    [InlineData("--engine-model", "magic", "--engine-model: 'magic' is not one of fixed, roofline")]
    [InlineData("--gpu", "tpu", "--gpu: 'tpu' is not one of h100, h200, a100, a100-40gb, l4")]
    [InlineData("--model-profile", "llama-3.1-70b", "does not fit on 1 × h100")]
    [InlineData("--max-model-len", "1000000", "is more than the KV cache holds")]
    public void Options_BadEngineModel_Errors(string option, string value, string error)
    {
        var (_, errors) = LlmHost.Simulator.SimulatorOptions.Parse(["--model", "m", "--engine-model", "roofline", option, value], _ => null);

        Assert.Contains(errors, e => e.Contains(error, StringComparison.Ordinal));
    }

    private static double Sample(string metrics, string name) =>
        double.Parse(SampleLine(metrics, name), System.Globalization.CultureInfo.InvariantCulture);

    private static string SampleLine(string metrics, string name) =>
        Regex.Match(metrics, $@"^{Regex.Escape(name)}\{{[^}}]*\}} (\S+)$", RegexOptions.Multiline).Groups[1].Value;
}
