namespace LlmHost.Gateway.Routing;

public enum RouteSource
{
    /// <summary>From <c>routing.model_backend_mapping</c> in config.yaml.</summary>
    Mapping,

    /// <summary>From the backends' <c>/v1/models</c>.</summary>
    Discovery,

    /// <summary>An adapter of the catalogue: every instance of its base model, loaded where needed.</summary>
    Catalog,
}
