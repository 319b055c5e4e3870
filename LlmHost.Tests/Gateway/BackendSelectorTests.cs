using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Gateway;

public class BackendSelectorTests
{
    private static BackendInstance Instance(string name) =>
        new(new BackendSettings { Name = name }, name, new Uri($"http://{name}:8000/"), null);

    [Fact]
    public void Pick_NoHealthyCandidate_ReturnsNull()
    {
        var a = Instance("a");
        a.Healthy = false;

        Assert.Null(BackendSelector.Pick([a]));
        Assert.Null(BackendSelector.Pick([]));
    }

    [Fact]
    public void Pick_SkipsUnhealthy()
    {
        var a = Instance("a");
        var b = Instance("b");
        a.Healthy = false;

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Same(b, BackendSelector.Pick([a, b])));
    }

    [Fact]
    public void Pick_TwoCandidates_AlwaysTakesFewerOutstanding()
    {
        var busy = Instance("busy");
        var idle = Instance("idle");
        busy.Enter();
        busy.Enter();

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Same(idle, BackendSelector.Pick([busy, idle])));
    }

    [Fact]
    public void Pick_ManyEqualCandidates_SpreadsLoad()
    {
        var instances = Enumerable.Range(0, 4).Select(i => Instance($"i{i}")).ToArray();

        var picked = Enumerable.Range(0, 400).Select(_ => BackendSelector.Pick(instances)!.Name).ToList();

        Assert.All(instances, i => Assert.InRange(picked.Count(p => p == i.Name), 50, 150));
    }

    [Fact]
    public void Pick_AddressHasNoTrailingSlash()
    {
        Assert.Equal("http://a:8000", Instance("a").Address);
    }
}
