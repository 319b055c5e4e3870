using LlmHost.Gateway.RateLimiting;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Tests.Gateway.Limits;

/// <summary>Every lease is released and every reservation settled, however the client goes away.</summary>
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

    private static bool IsIdle(LimitStoreSnapshot snapshot) =>
        snapshot.GlobalActiveLeases == 0 && snapshot.Keys.All(k => k.ActiveLeases == 0 && k.OpenReservations == 0);
}
