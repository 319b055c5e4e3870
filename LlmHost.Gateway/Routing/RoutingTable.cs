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

    /// <summary>Discovered models first; the manual mapping then replaces any discovered entry of the same name.</summary>
    public static RoutingTable Build(LlmHostConfig config, IReadOnlyList<BackendInstance> all, Func<string, IReadOnlyList<BackendInstance>> instancesOf)
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
