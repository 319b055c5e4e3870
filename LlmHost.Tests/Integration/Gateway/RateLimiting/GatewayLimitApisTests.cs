using System.Text.Json;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>The Responses and Messages APIs under the same limits and metering as chat completions.</summary>
[Trait("Category", "Integration")]
public sealed class GatewayLimitApisTests
{
    public static TheoryData<string, bool> Apis => new() { { "/v1/responses", false }, { "/v1/responses", true }, { "/v1/messages", false }, { "/v1/messages", true } };

    private static StringContent Body(string path, int maxTokens, bool stream) => Json.Body(path == "/v1/responses"
        ? $$"""{"model":"m","instructions":"Be brief.","input":[{"role":"user","content":"Say something about limits."}],"max_output_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}}"""
        : $$"""{"model":"m","system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"Say something about limits."}]}],"max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}}""");

    [Theory]
    [MemberData(nameof(Apis))]
    public async Task Tpm_EveryRequest_ChargedExactlyWhatTheEngineReported(string path, bool stream)
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 1000000 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        for (var i = 0; i < 10; i++)
        {
            using var response = await user.PostAsync(path, Body(path, 5 + i, stream));
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null);
        }

        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Observer.Measurements.Count == 10, TimeSpan.FromSeconds(5)));
        foreach (var measured in gateway.Observer.Measurements)
        {
            Assert.Equal(UsageSource.Reported, measured.Source);
            Assert.True(measured.PromptTokens > 0 && measured.CompletionTokens > 0);
            Assert.Equal(measured.PromptTokens + measured.CompletionTokens, measured.TokensCharged);
        }
        var usage = gateway.Get<KeyUsageTracker>().Snapshot()["testuser"];
        Assert.Equal(gateway.Observer.Measurements.Sum(m => (long)m.CompletionTokens), usage.CompletionTokens);
        var key = gateway.Get<MemoryLimitStore>().Find("testuser")!;
        Assert.Equal(0, key.Tokens!.OpenReservations);
    }

    [Theory]
    [InlineData("/v1/responses")]
    [InlineData("/v1/messages")]
    public async Task Streams_CancelledAtRandomPoints_LeaveNoLeaseOrReservation(string path)
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--itl-ms", "2", "--max-num-seqs", "256");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0, burst: 0, concurrency: 64, tpm: 100000000 }, global: { concurrency: 1024 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        var random = new Random(7);
        var delays = Enumerable.Range(0, 300).Select(_ => random.Next(0, 120)).ToArray();
        var next = -1;

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < delays.Length; i = Interlocked.Increment(ref next))
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(delays[i]));
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Body(path, 60, stream: true) };
                    using var response = await user.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                    await response.Content.CopyToAsync(Stream.Null, cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    // the point of the test
                }
            }
        })));

        var store = gateway.Get<MemoryLimitStore>();
        Assert.True(await Eventually.TrueWithinAsync(() => store.Snapshot() is var s && s.GlobalActiveLeases == 0
            && s.Keys.All(k => k.ActiveLeases == 0 && k.OpenReservations == 0 && k.ReservedTokens == 0), TimeSpan.FromSeconds(10)));
        Assert.True(sim.Get<EngineMetrics>().FinishedCount("abort") > 30, "too few streams were cut mid-way to test anything");
    }

    [Fact]
    public async Task Tpm_FollowUp_ReservesTheStoredConversationTheEngineReadsAgain()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 1000000 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        var words = string.Join(' ', Enumerable.Repeat("history", 300));

        var (_, first) = await Json.PostAsync(user, "/v1/responses", $$"""{"model":"m","input":"{{words}}","max_output_tokens":4}""");
        var firstTotal = first.GetProperty("usage").GetProperty("total_tokens").GetInt32();
        var (_, second) = await Json.PostAsync(user, "/v1/responses", $$"""{"model":"m","input":"short","max_output_tokens":4,"previous_response_id":"{{first.GetProperty("id").GetString()}}"}""");

        var followUp = gateway.Observer.Last;
        Assert.True(firstTotal > 300);
        // The new input is one word; the engine read the whole conversation again, and the reservation knew it.
        Assert.InRange(followUp.PromptEstimate, firstTotal, firstTotal + 50);
        Assert.True(second.GetProperty("usage").GetProperty("input_tokens").GetInt32() >= firstTotal);
    }

    [Fact]
    public async Task Tpm_ResponsesReservation_CountsInstructionsInputAndMaxOutputTokens()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 500 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        // max_tokens (which the Responses API ignores) cannot make a large max_output_tokens look small.
        var (tooLarge, body) = await Json.PostAsync(user, "/v1/responses", """{"model":"m","input":"hi","max_tokens":1,"max_output_tokens":600}""");

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, tooLarge.StatusCode);
        Assert.Equal("false", tooLarge.Headers.GetValues("x-should-retry").Single());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("error").ValueKind);
        Assert.Equal(0, sim.RequestsServed);
    }
}
