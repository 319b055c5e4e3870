using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.Routing;

[Trait("Category", "Unit")]
public class BackendSelectorTests
{
    internal static BackendInstance Instance(string name) =>
        new(new BackendSettings { Name = name, Engine = "vllm" }, name, new Uri($"http://{name}:8000/"), null, TimeSpan.FromSeconds(5));

    [Fact]
    public void Pick_NoAvailableCandidate_ReturnsMinusOne()
    {
        var a = Instance("a");
        a.Reachable = false;

        Assert.Equal(-1, BackendSelector.Pick([a]));
        Assert.Equal(-1, BackendSelector.Pick([]));
    }

    [Fact]
    public void Pick_SkipsUnreachable()
    {
        var a = Instance("a");
        var b = Instance("b");
        a.Reachable = false;

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(1, BackendSelector.Pick([a, b])));
    }

    [Fact]
    public void Pick_SkipsExcluded()
    {
        BackendInstance[] candidates = [Instance("a"), Instance("b"), Instance("c")];

        var picks = Enumerable.Range(0, 100).Select(_ => BackendSelector.Pick(candidates, excluded: 1)).ToHashSet();

        Assert.Equal([0, 2], picks.Order());
        Assert.Equal(-1, BackendSelector.Pick([Instance("only")], excluded: 0));
    }

    [Fact]
    public void Pick_TwoCandidates_AlwaysTakesFewerOutstanding()
    {
        var busy = Instance("busy");
        var idle = Instance("idle");
        busy.Enter();
        busy.Enter();

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(1, BackendSelector.Pick([busy, idle])));
    }

    [Fact]
    public void Pick_ManyEqualCandidates_SpreadsLoad()
    {
        var instances = Enumerable.Range(0, 4).Select(i => Instance($"i{i}")).ToArray();

        var picked = Enumerable.Range(0, 400).Select(_ => BackendSelector.Pick(instances)).ToList();

        Assert.All(Enumerable.Range(0, 4), i => Assert.InRange(picked.Count(p => p == i), 50, 150));
    }

    [Fact]
    public void Instance_AddressHasNoTrailingSlash()
    {
        Assert.Equal("http://a:8000", Instance("a").Address);
    }
}
