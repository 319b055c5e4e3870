namespace LlmHost.Backends.Engines;

/// <summary>An engine's answer to an adapter load or unload: whether it succeeded, its status, and its own words.</summary>
public readonly record struct LoraCallResult(bool Succeeded, int Status, string Message)
{
    /// <summary>The engine answered 404 for the route itself: it was started without runtime LoRA.</summary>
    public bool RuntimeLoraDisabled { get; init; }

    /// <summary>The gateway did not call the engine: every adapter slot of the instance serves requests now.</summary>
    public bool SlotsBusy { get; init; }

    /// <summary>The engine holds as many adapters as it may.</summary>
    public bool SlotsFull => !Succeeded && Message.Contains("Maximum number of loaded LoRA adapters", StringComparison.OrdinalIgnoreCase);
}
