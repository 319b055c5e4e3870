using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>Two gateway replicas sharing through Redis which engine instance keeps each stored response.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public sealed class ResponsesReplicasTests
{
    [Fact]
    public async Task FollowUp_OnTheOtherReplica_ReachesTheInstanceThatKeepsTheResponse()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var config = $$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h, policy: round_robin }
            limits: { store: redis, redis: { connection_string: "{{redis.ConnectionString}}" }, defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 0 } }
            backends:
              - { name: a, engine: vllm, mode: external, model: m, url: "{{a.Address}}" }
              - { name: b, engine: vllm, mode: external, model: m, url: "{{b.Address}}" }
            """;
        await using var first = await GatewayHost.StartAsync(config);
        await using var second = await GatewayHost.StartAsync(config);
        using var userFirst = first.ClientWith(GatewayHost.UserSecret);
        using var userSecond = second.ClientWith(GatewayHost.UserSecret);

        var (_, created) = await Json.PostAsync(userFirst, "/v1/responses", """{"model":"m","input":"hello","max_output_tokens":3}""");
        var owner = a.RequestsServed == 1 ? a : b;
        var id = created.GetProperty("id").GetString();
        for (var i = 0; i < 4; i++)
        {
            var (followUp, answer) = await Json.PostAsync(userSecond, "/v1/responses", $$"""{"model":"m","input":"more","max_output_tokens":3,"previous_response_id":"{{id}}"}""");
            Assert.Equal(HttpStatusCode.OK, followUp.StatusCode);
            id = answer.GetProperty("id").GetString();
        }
        using var retrieved = await userFirst.GetAsync($"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
        Assert.Equal(5, owner.RequestsServed);
        Assert.Equal(5, a.RequestsServed + b.RequestsServed);
    }
}
