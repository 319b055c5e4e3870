using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Gateway;

/// <summary>config.yaml edits apply without a restart; a bad edit keeps the last good table.</summary>
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
    public async Task ValidEdit_AppliesWithinTwoSeconds()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(sim, "first: [sim]"));
        var routes = gateway.Get<RouteRegistry>();

        await File.WriteAllTextAsync(gateway.ConfigPath, Config(sim, "second: [sim]"));

        Assert.True(await Eventually.TrueWithinAsync(() => routes.Current.TryGet("second", out _), TimeSpan.FromSeconds(2)));
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
        var provider = gateway.Get<GatewayConfigProvider>();

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
        var provider = gateway.Get<GatewayConfigProvider>();
        var applied = new List<int>();
        provider.Changed += config => applied.Add(config.Settings.Routing.ModelBackendMapping.Count);

        // A writer that stops half way for longer than two polls: the first half parses on its own (one route).
        var cut = full.IndexOf("second", StringComparison.Ordinal);
        await File.WriteAllTextAsync(gateway.ConfigPath, full[..cut] + "}\n" + full[(full.IndexOf('}', cut) + 1)..]);
        await Task.Delay(700);
        await File.WriteAllTextAsync(gateway.ConfigPath, full.Replace("second", "third", StringComparison.Ordinal));

        Assert.True(await Eventually.TrueWithinAsync(() => applied.Count > 0, TimeSpan.FromSeconds(4)));
        await Task.Delay(500);
        Assert.Equal([2], applied);
        Assert.True(gateway.Get<RouteRegistry>().Current.TryGet("third", out _));
    }
}
