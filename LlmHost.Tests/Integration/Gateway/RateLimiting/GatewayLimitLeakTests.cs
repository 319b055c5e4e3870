using LlmHost.Gateway.RateLimiting;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>Every lease is released and every reservation settled, however the client goes away.</summary>
[Trait("Category", "Integration")]
public class GatewayLimitLeakTests
{
    [Fact]
    public async Task Streams_ThousandCancelledAtRandomPoints_LeaveNoLeaseOrReservation()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--itl-ms", "2", "--max-num-seqs", "256");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0, burst: 0, concurrency: 64, tpm: 100000000 }, global: { concurrency: 1024 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        var random = new Random(5);
        var delays = Enumerable.Range(0, 1000).Select(_ => random.Next(0, 150)).ToArray();
        var next = -1;

        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < delays.Length; i = Interlocked.Increment(ref next))
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(delays[i]));
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = LimitsConfig.Chat(60, stream: true) };
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
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !IsIdle(store.Snapshot()))
        {
            await Task.Delay(50);
        }
        var snapshot = store.Snapshot();
        var key = snapshot.Keys.Single(k => k.KeyId == "testuser");
        Assert.Equal(0, snapshot.GlobalActiveLeases);
        Assert.Equal(0, key.ActiveLeases);
        Assert.Equal(0, key.OpenReservations);
        Assert.Equal(0, key.ReservedTokens);
        Assert.True(sim.Get<EngineMetrics>().FinishedCount("abort") > 100, "too few streams were cut mid-way to test anything");
    }

    [Fact]
    public async Task BackendErrorsAndTimeouts_LeaveNoLeaseOrReservation()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--itl-ms", "1200");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim,
            "{ defaults: { qps: 0, burst: 0, concurrency: 8, tpm: 100000 }, global: { concurrency: 1024 } }", "gateway: { activity_timeout: 1s, forward_headers: [X-Return-Error] }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        // Engine errors (three 400s, one 500; three backend failures in a row would eject the only backend).
        foreach (var status in new[] { "400", "400", "400", "500" })
        {
            using var failing = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = LimitsConfig.Chat(5) };
            failing.Headers.Add("X-Return-Error", status);
            Assert.Equal(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), (int)(await user.SendAsync(failing)).StatusCode);
        }
        // 1.2 s between tokens, 1 s allowed between bytes: the gateway gives up in the middle of the stream, and
        // before the first byte of a plain answer.
        using var slow = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(3, stream: true));
        Assert.Contains("backend_error", await slow.Content.ReadAsStringAsync());
        using var slowWhole = await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(3));
        Assert.Equal(System.Net.HttpStatusCode.GatewayTimeout, slowWhole.StatusCode);

        var key = gateway.Get<MemoryLimitStore>().Find("testuser")!;
        Assert.Equal(0, key.ActiveLeases);
        Assert.Equal(0, key.Tokens!.OpenReservations);
        // Failed requests were charged nothing and the cut stream only its prompt and what it streamed: the
        // reservations (14 tokens each) are all back.
        Assert.InRange(key.Tokens.Peek(System.Diagnostics.Stopwatch.GetTimestamp()).Remaining, 100_000 - 14, 100_000);
    }

    private static bool IsIdle(LimitStoreSnapshot snapshot) =>
        snapshot.GlobalActiveLeases == 0 && snapshot.Keys.All(k => k.ActiveLeases == 0 && k.OpenReservations == 0);
}
