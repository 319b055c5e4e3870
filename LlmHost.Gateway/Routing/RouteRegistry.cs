using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Holds the current <see cref="RoutingTable"/>: readers never lock; discovery rounds, pool refreshes and config
/// reloads publish a new table.
/// </summary>
public sealed class RouteRegistry
{
    private readonly IOptionsMonitor<LlmHostConfig> _config;
    private readonly BackendPool _pool;
    private readonly Lock _rebuildLock = new();
    private volatile RoutingTable _current = RoutingTable.Empty;
    private volatile bool _discoveredOnce;

    private readonly IAdapterCatalog? _catalog;

    public RouteRegistry(IOptionsMonitor<LlmHostConfig> config, BackendPool pool, IAdapterCatalog? catalog = null)
    {
        _config = config;
        _pool = pool;
        _catalog = catalog;
        pool.Changed += () => Rebuild();
        if (catalog is not null)
        {
            catalog.Changed += () => Rebuild();
        }
        Rebuild();
    }

    public RoutingTable Current => _current;

    /// <summary>True once every backend has been asked for its models at least once.</summary>
    public bool DiscoveredOnce => _discoveredOnce;

    /// <summary>Builds a table from the current config and the models each instance last listed.</summary>
    public RoutingTable Rebuild()
    {
        lock (_rebuildLock)
        {
            var table = RoutingTable.Build(_config.CurrentValue, _pool.All, _pool.Of, _catalog?.Adapters);
            _current = table;
            return table;
        }
    }

    public void MarkDiscovered() => _discoveredOnce = true;
}
