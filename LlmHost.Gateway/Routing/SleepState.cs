namespace LlmHost.Gateway.Routing;

/// <summary>Where an instance's engine is in vLLM's sleep mode, as the gateway last made or saw it.</summary>
public enum SleepState
{
    Awake,

    /// <summary>Asleep: takes no request until woken (the first request for its model wakes it).</summary>
    Sleeping,

    /// <summary>Being put to sleep or woken: takes no request meanwhile.</summary>
    Changing,
}
