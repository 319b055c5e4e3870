using System.Collections.Frozen;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Routing;

/// <summary>An immutable model → backends snapshot; a new one replaces it whenever discovery or the config changes.</summary>
public sealed class RoutingTable
{
    private readonly FrozenDictionary<string, RouteEntry> _routes;

    private RoutingTable(FrozenDictionary<string, RouteEntry> routes) => _routes = routes;

    public static RoutingTable Empty { get; } = new(FrozenDictionary<string, RouteEntry>.Empty);

    public IEnumerable<RouteEntry> Entries => _routes.Values;

    public int Count => _routes.Count;

    public bool TryGet(string model, out RouteEntry entry) => _routes.TryGetValue(model, out entry!);

    /// <summary>
    /// Discovered models first; the catalogue's adapters then (every instance of their base model, whether it holds
    /// them yet or not); the manual mapping last, replacing any entry of the same name.
    /// </summary>
    public static RoutingTable Build(LlmHostConfig config, IReadOnlyList<BackendInstance> all, Func<string, IReadOnlyList<BackendInstance>> instancesOf,
        IReadOnlyCollection<CatalogAdapter>? catalog = null)
    {
        var routes = Discovered(all);

        foreach (var adapter in catalog ?? [])
        {
            if (CatalogRoute(config, adapter, instancesOf, routes.GetValueOrDefault(adapter.BaseModel)) is { } route)
            {
                routes[adapter.Name] = route;
            }
        }

        foreach (var (model, backendNames) in config.Routing.ModelBackendMapping)
        {
            routes.TryGetValue(model, out var seen);
            var instances = new List<BackendInstance>();
            var upstream = new List<string?>();
            foreach (var name in backendNames)
            {
                foreach (var instance in instancesOf(name))
                {
                    instances.Add(instance);
                    upstream.Add(MappedUpstreamName(instance, model));
                }
            }
            routes[model] = new RouteEntry(model, [.. instances], [.. upstream], RouteSource.Mapping)
            {
                Parent = seen?.Parent,
                MaxModelLen = seen?.MaxModelLen ?? config.FindBackend(backendNames[0])?.MaxModelLen,
                OwnedBy = seen?.OwnedBy ?? "llmhost",
                Created = seen?.Created ?? 0,
            };
        }
        return new RoutingTable(routes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    // Each model any instance listed, with the instances that listed it.
    private static Dictionary<string, RouteEntry> Discovered(IReadOnlyList<BackendInstance> all)
    {
        var discovered = new Dictionary<string, (List<BackendInstance> Instances, List<string?> Upstream, ModelCard Card)>(StringComparer.Ordinal);
        foreach (var instance in all)
        {
            foreach (var card in instance.Models)
            {
                if (!discovered.TryGetValue(card.Id, out var route))
                {
                    route = ([], [], card);
                    discovered[card.Id] = route;
                }
                route.Instances.Add(instance);
                route.Upstream.Add(UpstreamName(instance, card));
            }
        }
        var routes = new Dictionary<string, RouteEntry>(StringComparer.Ordinal);
        foreach (var (model, route) in discovered)
        {
            routes[model] = new RouteEntry(model, [.. route.Instances], [.. route.Upstream], RouteSource.Discovery)
            {
                Parent = route.Card.Parent,
                MaxModelLen = route.Card.MaxModelLen,
                OwnedBy = route.Card.OwnedBy,
                Created = route.Card.Created,
            };
        }
        return routes;
    }

    // Every instance of the backends that may load the adapter; null when none serves its base model.
    private static RouteEntry? CatalogRoute(LlmHostConfig config, CatalogAdapter adapter, Func<string, IReadOnlyList<BackendInstance>> instancesOf, RouteEntry? baseRoute)
    {
        var instances = new List<BackendInstance>();
        var upstream = new List<string?>();
        foreach (var backend in config.Backends)
        {
            var allowed = adapter.Backends.Count == 0 ? backend.EffectiveServedModelName == adapter.BaseModel : adapter.Backends.Contains(backend.Name);
            if (!allowed || !backend.Lora.Enabled)
            {
                continue;
            }
            foreach (var instance in instancesOf(backend.Name))
            {
                instances.Add(instance);
                upstream.Add(backend.EngineKind == BackendEngine.Sglang ? backend.Profile.AdapterRequestModel(backend.EffectiveServedModelName, adapter.Name) : null);
            }
        }
        return instances.Count == 0 ? null : new RouteEntry(adapter.Name, [.. instances], [.. upstream], RouteSource.Catalog)
        {
            Parent = adapter.BaseModel,
            Adapter = adapter,
            MaxModelLen = baseRoute?.MaxModelLen ?? config.FindBackend(instances[0].Backend.Name)?.MaxModelLen,
            OwnedBy = baseRoute?.OwnedBy ?? instances[0].Backend.Profile.OwnedBy,
        };
    }

    // SGLang selects an adapter with "base:adapter" in model; vLLM with the adapter's own name.
    private static string? UpstreamName(BackendInstance instance, ModelCard card) =>
        card.Parent is { } parent && instance.Backend.EngineKind == BackendEngine.Sglang
            ? instance.Backend.Profile.AdapterRequestModel(parent, card.Id)
            : null;

    // A mapped name the backend does not list is an alias of the backend's served model.
    private static string? MappedUpstreamName(BackendInstance instance, string model)
    {
        foreach (var card in instance.Models)
        {
            if (card.Id == model)
            {
                return UpstreamName(instance, card);
            }
        }
        return instance.Backend.EffectiveServedModelName == model ? null : instance.Backend.EffectiveServedModelName;
    }
}
