using LlmHost.Backends.Engines;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// Where a request for an adapter of the catalogue goes: to the instances that hold it; when none does, or every one
/// that does has <c>lora.spread_at</c> requests in flight while another instance of the base model has a free slot,
/// the adapter is loaded on one more instance first (the request waits for that load). The answer is the route
/// narrowed to the instances to pick from, or why there is none.
/// </summary>
public sealed class AdapterPlacement(AdapterLoader loader, ILogger<AdapterPlacement> logger)
{
    public async Task<PlacementResult> PlaceAsync(RouteEntry route, CancellationToken cancellationToken)
    {
        var adapter = route.Adapter!;
        var holders = new List<int>(route.Instances.Length);
        var busy = true;
        for (var i = 0; i < route.Instances.Length; i++)
        {
            var instance = route.Instances[i];
            if (instance.Available && instance.HoldsAdapter(adapter.Name))
            {
                holders.Add(i);
                busy &= instance.Outstanding >= instance.Backend.Lora.SpreadAt;
            }
        }
        if (holders.Count > 0 && !busy)
        {
            return PlacementResult.To(Narrow(route, holders));
        }
        var target = LoadTarget(route, adapter, holders.Count > 0);
        if (target < 0)
        {
            return holders.Count > 0 ? PlacementResult.To(Narrow(route, holders)) : PlacementResult.NoInstance;
        }
        LoraCallResult loaded;
        try
        {
            loaded = await loader.EnsureLoadedAsync(route.Instances[target], adapter, cancellationToken);
        }
        catch (TimeoutException)
        {
            return holders.Count > 0 ? PlacementResult.To(Narrow(route, holders)) : PlacementResult.TimedOut(route.Instances[target].Name);
        }
        if (!loaded.Succeeded)
        {
            return holders.Count > 0 ? PlacementResult.To(Narrow(route, holders)) : PlacementResult.Failed(route.Instances[target].Name, loaded);
        }
        if (holders.Count > 0)
        {
            AdaptersLog.Spread(logger, adapter.Name, route.Instances[target].Name);
        }
        holders.Add(target);
        return PlacementResult.To(Narrow(route, holders));
    }

    // An available instance without the adapter: one with a free slot, fewest requests in flight; without a free slot
    // only when nobody holds it yet (then the least recently used adapter there makes room).
    private static int LoadTarget(RouteEntry route, CatalogAdapter adapter, bool someoneHoldsIt)
    {
        var best = -1;
        var bestFree = false;
        for (var i = 0; i < route.Instances.Length; i++)
        {
            var instance = route.Instances[i];
            if (!instance.Available || instance.HoldsAdapter(adapter.Name))
            {
                continue;
            }
            var free = instance.AdapterCount < instance.Backend.Lora.MaxLoaded;
            if (!free && someoneHoldsIt)
            {
                continue;
            }
            if (best < 0 || (free && !bestFree) || (free == bestFree && instance.Outstanding < route.Instances[best].Outstanding))
            {
                (best, bestFree) = (i, free);
            }
        }
        return best;
    }

    private static RouteEntry Narrow(RouteEntry route, List<int> indices)
    {
        var instances = new BackendInstance[indices.Count];
        var upstream = new string?[indices.Count];
        for (var i = 0; i < indices.Count; i++)
        {
            instances[i] = route.Instances[indices[i]];
            upstream[i] = route.UpstreamModels[indices[i]];
        }
        return new RouteEntry(route.Model, instances, upstream, route.Source, route.Turns)
        {
            Parent = route.Parent,
            Adapter = route.Adapter,
            MaxModelLen = route.MaxModelLen,
            OwnedBy = route.OwnedBy,
            Created = route.Created,
        };
    }
}
