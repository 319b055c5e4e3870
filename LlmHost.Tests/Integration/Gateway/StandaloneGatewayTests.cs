using System.Net;

namespace LlmHost.Tests.Integration.Gateway;

/// <summary>The gateway as a process of its own, started the way operators start it.</summary>
[Trait("Category", "Integration")]
public sealed class StandaloneGatewayTests
{
    [Fact]
    public async Task StartedFromAnotherFolder_StillUsesItsAppSettings()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var elsewhere = Directory.CreateTempSubdirectory("llmhost-cwd-").FullName;
        await using var gateway = await GatewayProcess.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
            """, workingDirectory: elsewhere);
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        // Up (it answered /health) is not ready: its first discovery may still be asking the simulator for its models.
        Assert.True(await Eventually.TrueWithinAsync(async () => (await user.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(20)));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1}"""))).StatusCode);
        }
        await Task.Delay(500);

        // appsettings.json keeps ASP.NET Core and YARP at Warning: no lines per request on the console.
        var perRequest = gateway.Process.Output.Count(line => line.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal)
            || line.Contains("Yarp.ReverseProxy.Forwarder", StringComparison.Ordinal));
        Assert.Equal(0, perRequest);
        Directory.Delete(elsewhere, recursive: true);
        Directory.Delete(gateway.Directory, recursive: true);
    }
}
