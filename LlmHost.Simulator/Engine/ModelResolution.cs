namespace LlmHost.Simulator.Engine;

/// <summary>Outcome of resolving a request's model: the adapter (null for the base model) and the name to answer with.</summary>
public readonly record struct ModelResolution(bool Found, string? Adapter, string ResponseModel)
{
    public static ModelResolution NotFound => new(false, null, "");
}
