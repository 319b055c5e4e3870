using System.Diagnostics;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>
/// The latency model, checked with wide tolerances: lower bounds are exact (the simulator must wait at least
/// that long), upper bounds allow for a loaded 2-core machine.
/// </summary>
[Trait("Category", "Integration")]
public class SimulatorLatencyTests
{
    private static async Task<(TimeSpan FirstToken, TimeSpan Total, int Events)> TimeStreamAsync(SimulatorHost sim, int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body($$"""{"model":"m","messages":[],"max_tokens":{{maxTokens}},"ignore_eos":true,"stream":true}"""),
        };
        var clock = Stopwatch.StartNew();
        using var response = await sim.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        TimeSpan? firstToken = null;
        var events = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events++;
                firstToken ??= clock.Elapsed;
            }
        }
        return (firstToken!.Value, clock.Elapsed, events);
    }

    [Fact]
    public async Task Stream_TtftAndItl_PaceTheChunks()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "300", "--itl-ms", "40");

        var (firstToken, total, events) = await TimeStreamAsync(sim, 6);

        Assert.Equal(1 + 6 + 1, events);
        Assert.InRange(firstToken.TotalMilliseconds, 295, 5000);
        // 5 gaps of 40 ms after the first token (less a little: the client may notice the first chunk late, by up to
        // 10 % on a busy machine).
        Assert.InRange((total - firstToken).TotalMilliseconds, 175, 5000);
    }

    [Fact]
    public async Task NonStream_WaitsTtftPlusItlPerExtraToken()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "200", "--itl-ms", "50");
        var clock = Stopwatch.StartNew();

        await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":5,"ignore_eos":true}""");

        Assert.InRange(clock.Elapsed.TotalMilliseconds, 395, 5000);
    }

    [Fact]
    public async Task MaxNumSeqs_ExtraRequestsWaitForASlot()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--max-num-seqs", "1", "--ttft-ms", "250");
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(
            Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":1}"""),
            Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":1}"""));

        Assert.InRange(clock.Elapsed.TotalMilliseconds, 495, 5000);
    }

    [Fact]
    public async Task Jitter_VariesLatencyWithinBounds()
    {
        var options = new LlmHost.Simulator.SimulatorOptions { TtftMs = 100, Jitter = 0.3 };
        var model = new LlmHost.Simulator.Engine.LatencyModel(options);
        var random = new Random(1);

        var samples = Enumerable.Range(0, 500).Select(_ => model.TimeToFirstToken(0, random).TotalMilliseconds).ToList();

        Assert.All(samples, s => Assert.InRange(s, 30, 170));
        Assert.InRange(samples.Average(), 95, 105);
        Assert.True(samples.Distinct().Count() > 100);
    }
}
