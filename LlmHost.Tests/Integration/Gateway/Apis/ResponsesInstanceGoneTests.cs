using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>A stored response whose engine instance left the route: the follow-up gets a clear answer, not another instance's confusion.</summary>
[Trait("Category", "Integration")]
public sealed class ResponsesInstanceGoneTests
{
    private static string Config(params (string Name, SimulatorHost Sim)[] backends) => $$"""
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        backends:
        {{string.Concat(backends.Select(b => $"  - {{ name: {b.Name}, engine: vllm, mode: external, model: m, url: \"{b.Sim.Address}\" }}\n"))}}
        """;

    [Fact]
    public async Task FollowUp_InstanceRemovedFromTheRoute_NotFoundNamingWhy()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(Config(("a", a), ("b", b)));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        var (_, created) = await Json.PostAsync(user, "/v1/responses", """{"model":"m","input":"hello","max_output_tokens":3}""");
        var id = created.GetProperty("id").GetString();
        var other = a.RequestsServed == 1 ? ("b", b) : ("a", a);

        await File.WriteAllTextAsync(gateway.ConfigPath, Config(other));
        Assert.True(await Eventually.TrueWithinAsync(() => gateway.Get<LlmHost.Gateway.Routing.RouteRegistry>().Current.TryGet("m", out var route)
            && route.Instances.Length == 1 && route.Instances[0].Name == other.Item1, TimeSpan.FromSeconds(10)));
        var (followUp, body) = await Json.PostAsync(user, "/v1/responses", $$"""{"model":"m","input":"again","previous_response_id":"{{id}}"}""");

        Assert.Equal(HttpStatusCode.NotFound, followUp.StatusCode);
        Assert.Equal("response_instance_gone", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, other.Item2.RequestsServed);
    }
}
