namespace LlmHost.Gateway.Routing;

/// <summary>Holds the current <see cref="RoutingTable"/>; readers never lock, the discovery loop swaps it.</summary>
public sealed class RouteRegistry
{
    private volatile RoutingTable _current = RoutingTable.Empty;
    private volatile bool _discoveredOnce;

    public RoutingTable Current => _current;

    /// <summary>True once every backend has been asked for its models at least once.</summary>
    public bool DiscoveredOnce => _discoveredOnce;

    public void Publish(RoutingTable table)
    {
        _current = table;
        _discoveredOnce = true;
    }
}
