using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.StoredResponses;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmHost.Tests.Unit.Gateway.ClientApis;

/// <summary>The memory of stored responses (without Redis) and the routes narrowed to the engines that serve an API.</summary>
[Trait("Category", "Unit")]
public class ResponseOwnersTests
{
    private static ResponseOwners Owners(int perKey) => new(
        new StaticOptionsMonitor(new LlmHostConfig { Routing = new RoutingSettings { StoredResponses = new StoredResponsesSettings { MaxResponsesPerKey = perKey } } }),
        NullLogger<ResponseOwners>.Instance);

    [Fact]
    public async Task FindAsync_AnotherKeysResponse_NotFound()
    {
        var owners = Owners(100);
        await owners.RememberAsync("resp_1", new ResponseOwner("sim-0", "alice", "m", 42));

        Assert.Equal(42, (await owners.FindAsync("alice", "resp_1"))!.ConversationTokens);
        Assert.Null(await owners.FindAsync("mallory", "resp_1"));
    }

    [Fact]
    public async Task RememberAsync_OneKeyFloods_OnlyItsOwnAreForgotten()
    {
        var owners = Owners(100);
        await owners.RememberAsync("resp_victim", new ResponseOwner("sim-0", "alice", "m"));
        for (var i = 0; i < 10_000; i++)
        {
            await owners.RememberAsync($"resp_{i}", new ResponseOwner("sim-1", "mallory", "m"));
        }

        Assert.NotNull(await owners.FindAsync("alice", "resp_victim"));
        Assert.Null(await owners.FindAsync("mallory", "resp_0"));
        Assert.InRange(owners.Count, 2, 101);
    }

    [Fact]
    public void ServingOnly_MixedReleases_NarrowedToThoseThatServe()
    {
        BackendInstance Instance(string name, string version) =>
            new(new BackendSettings { Name = name, Engine = "vllm", Mode = "external", Version = version }, name, new Uri($"http://{name}:8000"), null, TimeSpan.FromSeconds(1));
        var route = new RouteEntry("m", [Instance("old", "0.9.2"), Instance("new", "0.11.1")], [null, null], RouteSource.Discovery);

        Assert.Equal(["new"], route.ServingOnly(EngineApi.Messages)!.Instances.Select(i => i.Name));
        Assert.Equal(["new"], route.ServingOnly(EngineApi.Responses)!.Instances.Select(i => i.Name));
        Assert.Null(route.ServingOnly(EngineApi.ResponseDelete));
    }
}
