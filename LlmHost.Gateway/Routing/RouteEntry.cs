namespace LlmHost.Gateway.Routing;

/// <summary>Where requests for one model name go, and what the model is.</summary>
public sealed class RouteEntry
{
    public RouteEntry(string model, BackendInstance[] instances, string?[] upstreamModels, RouteSource source, RoundRobinTurns? turns = null)
    {
        Model = model;
        Turns = turns ?? RoundRobinTurns.For(model);
        Instances = instances;
        UpstreamModels = upstreamModels;
        Source = source;
    }

    public string Model { get; }

    public BackendInstance[] Instances { get; }

    /// <summary>
    /// Per instance, the <c>model</c> value the backend must receive when it differs from the client's (SGLang's
    /// <c>base:adapter</c>, or the served name behind a mapped alias); null to forward the body's model unchanged.
    /// </summary>
    public string?[] UpstreamModels { get; }

    public RouteSource Source { get; }

    /// <summary>For a LoRA adapter, the base model it was loaded on; null for a base model.</summary>
    public string? Parent { get; init; }

    /// <summary>For an adapter of the catalogue, what is needed to load it where it is missing.</summary>
    public CatalogAdapter? Adapter { get; init; }

    public int? MaxModelLen { get; init; }

    public string OwnedBy { get; init; } = "llmhost";

    public long Created { get; init; }

    /// <summary>
    /// The model's round-robin counter, shared by every entry built for the model (routes are rebuilt at every
    /// discovery round and narrowed per request for adapters: a counter per entry would start over each time).
    /// </summary>
    public RoundRobinTurns Turns { get; }
}
