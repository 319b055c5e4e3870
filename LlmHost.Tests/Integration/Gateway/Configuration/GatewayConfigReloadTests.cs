using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Microsoft.Extensions.Options;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Integration.Gateway.Configuration;

/// <summary>config.yaml edits apply without a restart; a bad edit keeps the last good table.</summary>
[Trait("Category", "Integration")]
public class GatewayConfigReloadTests
{
    private static string Config(SimulatorHost sim, string mapping) => $$"""
        routing:
          discovery_interval: 1h
          health_check_interval: 1h
          model_backend_mapping: { {{mapping}} }
        backends:
          - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
        """;

    [Fact]
    public async Task ValidEdit_AppliesWithinSeconds()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim, "first: [sim]"));
        var routes = gateway.Get<RouteRegistry>();

        await File.WriteAllTextAsync(gateway.ConfigPath, Config(sim, "second: [sim]"));

        // About 1.25 s by design; more on a machine the rest of the suite keeps busy.
        Assert.True(await Eventually.TrueWithinAsync(() => routes.Current.TryGet("second", out _), TimeSpan.FromSeconds(6)));
        Assert.False(routes.Current.TryGet("first", out _));
        var (response, _) = await Json.PostAsync(gateway.Client, "/v1/chat/completions", """{"model":"second","messages":[],"max_tokens":1}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        // The instance survived the reload with its health and models.
        Assert.True(gateway.Instance("sim").Models.Count > 0);
    }

    [Fact]
    public async Task InvalidEdit_KeepsLastGoodConfigAndReportsWhy()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim, "kept: [sim]"));
        var provider = gateway.Get<ReloadableFile<LlmHostConfig>>();

        await File.WriteAllTextAsync(gateway.ConfigPath, Config(sim, "kept: [nobody]"));

        Assert.True(await Eventually.TrueWithinAsync(() => provider.LastError is not null, TimeSpan.FromSeconds(3)));
        Assert.Contains("backend 'nobody' is not defined in backends", provider.LastError);
        Assert.True(gateway.Get<RouteRegistry>().Current.TryGet("kept", out var kept));
        Assert.Equal("sim", Assert.Single(kept.Instances).Name);
    }

    [Fact]
    public async Task HalfWrittenFile_IsNotAppliedWhileTheWriterPauses()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var full = Config(sim, "first: [sim], second: [sim]");
        await using var gateway = await GatewayHost.StartAsync(full);
        var applied = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var changes = gateway.Get<IOptionsMonitor<LlmHostConfig>>().OnChange(config => applied.Enqueue(config.Routing.ModelBackendMapping.Count));
        // The first half parses on its own (one route). A writer that stops between the halves for longer than the
        // old gateway's two polls (500 ms each) and shorter than the settle time: on a loaded machine the pause may
        // stretch past the settle time, which makes the half file legitimately stable; then try again.
        var half = full[..full.IndexOf("second", StringComparison.Ordinal)] + "}\n" + full[(full.IndexOf('}', full.IndexOf("second", StringComparison.Ordinal)) + 1)..];
        for (var attempt = 1; ; attempt++)
        {
            applied.Clear();
            var pause = System.Diagnostics.Stopwatch.StartNew();
            await File.WriteAllTextAsync(gateway.ConfigPath, half);
            await Task.Delay(600);
            await File.WriteAllTextAsync(gateway.ConfigPath, full.Replace("second", $"third{attempt}", StringComparison.Ordinal));
            var paused = pause.Elapsed;
            Assert.True(await Eventually.TrueWithinAsync(() => gateway.Get<RouteRegistry>().Current.TryGet($"third{attempt}", out _), TimeSpan.FromSeconds(5)));
            if (paused < FileReloadService.SettleTime - TimeSpan.FromMilliseconds(150) || attempt == 5)
            {
                Assert.True(paused < FileReloadService.SettleTime, $"the machine never paused less than the settle time ({paused.TotalMilliseconds:F0} ms)");
                Assert.Equal([2], applied);
                return;
            }
        }
    }
}
