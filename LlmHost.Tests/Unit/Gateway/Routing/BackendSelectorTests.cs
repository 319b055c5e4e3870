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

    // A model name of its own per route: round-robin counters are per model, for the life of the process.
    private static RouteEntry Route(params BackendInstance[] instances) =>
        new($"m-{Guid.NewGuid():N}", instances, new string?[instances.Length], RouteSource.Discovery);

    [Fact]
    public void Pick_RoundRobin_TakesEachAvailableInTurnWhateverTheLoad()
    {
        var busy = Instance("busy");
        busy.Enter();
        busy.Enter();
        var route = Route(busy, Instance("b"), Instance("c"));

        var picks = Enumerable.Range(0, 6).Select(_ => BackendSelector.Pick(route, RoutingPolicy.RoundRobin)).ToList();

        Assert.Equal([0, 1, 2, 0, 1, 2], picks);
    }

    [Fact]
    public void Pick_RoundRobin_RouteRebuilt_RotationGoesOn()
    {
        BackendInstance[] instances = [Instance("a"), Instance("b"), Instance("c")];
        var model = $"m-{Guid.NewGuid():N}";
        RouteEntry Build() => new(model, instances, new string?[3], RouteSource.Discovery);

        // A discovery round (or an adapter's narrowed route) builds a new entry for the same model between requests.
        var picks = Enumerable.Range(0, 6).Select(_ => BackendSelector.Pick(Build(), RoutingPolicy.RoundRobin)).ToList();

        Assert.Equal([0, 1, 2, 0, 1, 2], picks);
    }

    [Fact]
    public void Pick_RoundRobin_SkipsUnavailableAndExcluded()
    {
        var down = Instance("down");
        down.Reachable = false;
        var route = Route(Instance("a"), down, Instance("c"));

        var picks = Enumerable.Range(0, 4).Select(_ => BackendSelector.Pick(route, RoutingPolicy.RoundRobin)).ToList();

        Assert.Equal([0, 2, 0, 2], picks);
        Assert.Equal(2, BackendSelector.Pick(route, RoutingPolicy.RoundRobin, excluded: 0));
        Assert.Equal(-1, BackendSelector.Pick(Route(down), RoutingPolicy.RoundRobin));
    }

    [Fact]
    public void Pick_Random_IgnoresLoadAndSpreads()
    {
        var busy = Instance("busy");
        for (var i = 0; i < 10; i++)
        {
            busy.Enter();
        }
        var route = Route(busy, Instance("idle"));

        var picked = Enumerable.Range(0, 400).Select(_ => BackendSelector.Pick(route, RoutingPolicy.Random)).ToList();

        Assert.InRange(picked.Count(p => p == 0), 120, 280);
    }

    [Fact]
    public void Pick_LeastOutstandingPolicy_AvoidsTheBusierOfTwo()
    {
        var busy = Instance("busy");
        busy.Enter();
        var route = Route(busy, Instance("idle"));

        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(1, BackendSelector.Pick(route, RoutingPolicy.LeastOutstanding)));
    }

    [Fact]
    public void Instance_AddressHasNoTrailingSlash()
    {
        Assert.Equal("http://a:8000", Instance("a").Address);
    }
}
