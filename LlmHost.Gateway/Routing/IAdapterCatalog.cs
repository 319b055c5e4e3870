namespace LlmHost.Gateway.Routing;

/// <summary>The adapters routable on demand, as the routing table needs them.</summary>
public interface IAdapterCatalog
{
    IReadOnlyCollection<CatalogAdapter> Adapters { get; }

    /// <summary>Raised when the catalogue changes (config reload, admin registration).</summary>
    event Action? Changed;
}
