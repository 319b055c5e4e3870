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
        Provider = ProviderOf(instances);
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

    /// <summary>The engine (<c>vllm</c>, <c>sglang</c>) behind every instance of the route; null when they differ or there is none.</summary>
    public string? Provider { get; }

    private static string? ProviderOf(BackendInstance[] instances)
    {
        string? provider = null;
        foreach (var instance in instances)
        {
            var name = instance.Backend.Profile.Name;
            if (provider is not null && provider != name)
            {
                return null;
            }
            provider = name;
        }
        return provider;
    }

    /// <summary>The same route with one instance only: a request that must reach that instance (it keeps the request's state).</summary>
    public RouteEntry PinnedTo(int index) => Narrowed([Instances[index]], [UpstreamModels[index]]);

    /// <summary>Where the instance named <paramref name="instance"/> is in <see cref="Instances"/>; -1 when the route has no such instance.</summary>
    public int IndexOf(string instance)
    {
        for (var i = 0; i < Instances.Length; i++)
        {
            if (Instances[i].Name == instance)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The route narrowed to the instances whose engines serve <paramref name="api"/> (by their profile and release):
    /// itself when all do, null when none does.
    /// </summary>
    public RouteEntry? ServingOnly(Backends.Engines.EngineApi api)
    {
        var serving = 0;
        foreach (var instance in Instances)
        {
            serving += instance.Backend.Profile.Serves(api, instance.Backend.EngineVersion) ? 1 : 0;
        }
        if (serving == Instances.Length || serving == 0)
        {
            return serving == 0 ? null : this;
        }
        var instances = new BackendInstance[serving];
        var upstream = new string?[serving];
        for (int i = 0, j = 0; i < Instances.Length; i++)
        {
            if (Instances[i].Backend.Profile.Serves(api, Instances[i].Backend.EngineVersion))
            {
                (instances[j], upstream[j]) = (Instances[i], UpstreamModels[i]);
                j++;
            }
        }
        return Narrowed(instances, upstream);
    }

    // The same model's route over some of its instances.
    private RouteEntry Narrowed(BackendInstance[] instances, string?[] upstreamModels) => new(Model, instances, upstreamModels, Source, Turns)
    {
        Parent = Parent,
        Adapter = Adapter,
        MaxModelLen = MaxModelLen,
        OwnedBy = OwnedBy,
        Created = Created,
    };
}
