using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.Routing;

/// <summary>An instance's adapters: eviction never races a request, LRU with a minimum idle time, lists reconciled with the gateway's own loads.</summary>
[Trait("Category", "Unit")]
public sealed class InstanceAdaptersTests
{
    private static ModelCard Adapter(string id) => new() { Id = id, Parent = "base" };

    [Fact]
    public void AdapterUse_RequestInFlight_EvictionRefused()
    {
        var use = new AdapterUse();
        Assert.True(use.TryBegin());

        Assert.False(use.TryStartEviction());

        use.End();
        Assert.True(use.TryStartEviction());
    }

    [Fact]
    public void AdapterUse_Evicting_NoRequestStartsUntilItEnds()
    {
        var use = new AdapterUse();
        Assert.True(use.TryStartEviction());

        Assert.False(use.TryBegin());
        Assert.Equal(0, use.InFlight);

        use.EvictionEnded();
        Assert.True(use.TryBegin());
        Assert.Equal(1, use.InFlight);
    }

    [Fact]
    public async Task LeastRecentlyUsedIdle_SkipsBusyRecentAndEvicting()
    {
        var adapters = new InstanceAdapters();
        adapters.Use("old").Touch();
        await Task.Delay(20);
        adapters.Use("busy").TryBegin();
        adapters.Use("evicting").TryStartEviction();
        adapters.Use("newer").Touch();

        Assert.Equal("old", adapters.LeastRecentlyUsedIdle(["busy", "newer", "old", "evicting"], TimeSpan.Zero));
        Assert.Equal("never-used", adapters.LeastRecentlyUsedIdle(["old", "never-used"], TimeSpan.FromMinutes(1)));
        Assert.Null(adapters.LeastRecentlyUsedIdle(["old", "newer", "busy"], TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Reconcile_ListAskedBeforeALoad_KeepsTheLoadedAdapter()
    {
        var adapters = new InstanceAdapters();
        var askedAt = DateTime.UtcNow.AddSeconds(-1);
        adapters.Changed("fresh", Adapter("fresh"));
        adapters.Changed("gone", null);

        var cards = adapters.Reconcile([new ModelCard { Id = "base" }, Adapter("gone")], askedAt);

        Assert.Equal(["base", "fresh"], cards.Select(c => c.Id));
    }

    [Fact]
    public void Reconcile_ListAskedAfterTheChanges_IsTheTruth()
    {
        var adapters = new InstanceAdapters();
        adapters.Changed("fresh", Adapter("fresh"));

        var cards = adapters.Reconcile([new ModelCard { Id = "base" }, Adapter("other")], DateTime.UtcNow.AddSeconds(1));

        Assert.Equal(["base", "other"], cards.Select(c => c.Id));
        // The change is forgotten once a later list has been seen.
        Assert.Equal(["base"], adapters.Reconcile([new ModelCard { Id = "base" }], DateTime.UtcNow.AddSeconds(-10)).Select(c => c.Id));
    }
}
