namespace LlmHost.Gateway.Routing;

/// <summary>Where requests for one model name go, and what the model is.</summary>
public sealed class RouteEntry(string model, BackendInstance[] instances, RouteSource source)
{
    public string Model { get; } = model;

    public BackendInstance[] Instances { get; } = instances;

    public RouteSource Source { get; } = source;

    /// <summary>For a LoRA adapter, the base model it was loaded on; null for a base model.</summary>
    public string? Parent { get; init; }

    public int? MaxModelLen { get; init; }

    public string OwnedBy { get; init; } = "llmhost";

    public long Created { get; init; }
}

public enum RouteSource
{
    /// <summary>From <c>routing.model_backend_mapping</c> in config.yaml.</summary>
    Mapping,

    /// <summary>From the backends' <c>/v1/models</c>.</summary>
    Discovery,
}
