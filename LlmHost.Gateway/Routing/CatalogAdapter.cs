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
public sealed record CatalogAdapter(string Name, string Path, string BaseModel, IReadOnlyList<string> Backends, string Source);
