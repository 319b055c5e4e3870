namespace LlmHost.Gateway.Routing;

/// <summary>
/// An adapter the gateway may load wherever its base model runs: declared in config.yaml (<c>lora_modules</c>) or
/// registered through the admin API. Routable even where no instance holds it yet.
/// </summary>
/// <param name="Name">What clients put in <c>model</c>.</param>
/// <param name="Path">Where the engines find its weights (a folder on the engine's machine, or a Hugging Face id).</param>
/// <param name="BaseModel">The served name of the model it adapts.</param>
/// <param name="Backends">The backends that may load it (every backend serving the base model when empty).</param>
/// <param name="Source"><c>config</c> or <c>admin</c>.</param>
public sealed record CatalogAdapter(string Name, string Path, string BaseModel, IReadOnlyList<string> Backends, string Source)
{
    /// <summary>The path per backend when backends declare it with different paths (config.yaml only).</summary>
    public IReadOnlyDictionary<string, string>? Paths { get; init; }

    /// <summary>Where <paramref name="backend"/>'s engines find the adapter.</summary>
    public string PathFor(string backend) => Paths is not null && Paths.TryGetValue(backend, out var path) ? path : Path;

    public IReadOnlyDictionary<string, string> WithPath(string backend, string path) =>
        new Dictionary<string, string>(Paths ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [backend] = path };
}
