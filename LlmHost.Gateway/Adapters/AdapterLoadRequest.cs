namespace LlmHost.Gateway.Adapters;

/// <summary>An admin's request to load (and register) an adapter.</summary>
/// <param name="Name">What clients will put in <c>model</c>.</param>
/// <param name="Path">Where the engines find its weights.</param>
/// <param name="BaseModel">The served name of the model it adapts (or give <paramref name="Backend"/>).</param>
/// <param name="Backend">The one backend that may load it.</param>
/// <param name="Instances">The instances to load it on; null: every instance of the backends that may load it.</param>
/// <param name="Register">Keep it in the catalogue (routable and loaded on demand from then on).</param>
public sealed record AdapterLoadRequest(string Name, string Path, string? BaseModel, string? Backend, IReadOnlyList<string>? Instances, bool Register);
