using System.Net;
using System.Text;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>
/// The memory attack of the hardening issue: 150 connections announce 16 MiB bodies and trickle 512 bytes a second,
/// with a key whose concurrency limit is 4. The gateway process must refuse what is over the key's limits before
/// reading, drop the trickles, keep its memory, and go on answering and logging.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SlowClientTests
{
    [Fact]
    public async Task AnnouncedHugeBodies_Trickled_CostNoMemory()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayProcess.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            limits: { defaults: { qps: 0, burst: 0, concurrency: 4, tpm: 0 } }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
            """);
        var baseline = gateway.Process.ResidentBytes();
        var head = RawHttp.Request("POST", "/v1/chat/completions", GatewayHost.UserSecret, contentLength: 16 * 1024 * 1024);
        var chunk = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"pad\":\"" + new string('x', 492));
        var statuses = new int[150];
        var peak = baseline;

        var clients = Enumerable.Range(0, 150).Select(async i =>
        {
            var answer = await RawHttp.SendAsync(gateway.Address, head, TimeSpan.FromSeconds(30), async stream =>
            {
                for (var second = 0; second < 12 && stream.Socket.Connected; second++)
                {
                    await stream.WriteAsync(second == 0 ? chunk : Encoding.UTF8.GetBytes(new string('x', 512)));
                    await Task.Delay(1000);
                }
            });
            statuses[i] = answer.Status;
        }).ToList();
        while (clients.Any(c => !c.IsCompleted))
        {
            peak = Math.Max(peak, gateway.Process.ResidentBytes());
            await Task.Delay(200);
        }
        await Task.WhenAll(clients);

        // All but four refused at once for the key's concurrency; the four cut for their rate (408) or closed.
        Assert.Equal(146, statuses.Count(s => s == 429));
        Assert.All(statuses, s => Assert.True(s is 429 or 408 or 0, $"status {s}"));
        Assert.True(peak < baseline + 100L * 1024 * 1024, $"RSS peaked at {peak >> 20} MiB from {baseline >> 20} MiB");
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1}"""))).StatusCode);
        Directory.Delete(gateway.Directory, recursive: true);
    }
}
