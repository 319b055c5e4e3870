namespace LlmHost.Simulator.Engine;

/// <summary>What adding an adapter to the registry did.</summary>
public enum AdapterAdd
{
    Added,
    AlreadyLoaded,

    /// <summary>The engine holds as many adapters as it may (SGLang <c>--max-loaded-loras</c>).</summary>
    Full,
}
