using System.Collections.Frozen;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Routing;

/// <summary>An immutable model → backends snapshot; a new one replaces it whenever discovery sees a change.</summary>
public sealed class RoutingTable
{
    private readonly FrozenDictionary<string, RouteEntry> _routes;

    private RoutingTable(FrozenDictionary<string, RouteEntry> routes) => _routes = routes;

    public static RoutingTable Empty { get; } = new(FrozenDictionary<string, RouteEntry>.Empty);

    public IEnumerable<RouteEntry> Entries => _routes.Values;

    public int Count => _routes.Count;

    public bool TryGet(string model, out RouteEntry entry) => _routes.TryGetValue(model, out entry!);

    /// <summary>Discovered models first, then the manual mapping, which replaces any discovered entry of the same name.</summary>
    public static RoutingTable Build(LlmHostConfig config, BackendPool pool)
    {
        var discovered = new Dictionary<string, (List<BackendInstance> Instances, ModelCard Card)>(StringComparer.Ordinal);
        foreach (var instance in pool.All)
        {
            foreach (var card in instance.Models)
            {
                if (!discovered.TryGetValue(card.Id, out var route))
                {
                    route = ([], card);
                    discovered[card.Id] = route;
                }
                route.Instances.Add(instance);
            }
        }

        var routes = new Dictionary<string, RouteEntry>(StringComparer.Ordinal);
        foreach (var (model, route) in discovered)
        {
            routes[model] = new RouteEntry(model, [.. route.Instances], RouteSource.Discovery)
            {
                Parent = route.Card.Parent,
                MaxModelLen = route.Card.MaxModelLen,
                OwnedBy = route.Card.OwnedBy,
                Created = route.Card.Created,
            };
        }
        foreach (var (model, backendNames) in config.Routing.ModelBackendMapping)
        {
            var instances = new List<BackendInstance>();
            foreach (var name in backendNames)
            {
                instances.AddRange(pool.Of(name));
            }
            routes.TryGetValue(model, out var seen);
            routes[model] = new RouteEntry(model, [.. instances], RouteSource.Mapping)
            {
                Parent = seen?.Parent,
                MaxModelLen = seen?.MaxModelLen,
                OwnedBy = seen?.OwnedBy ?? "llmhost",
                Created = seen?.Created ?? 0,
            };
        }
        return new RoutingTable(routes.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
