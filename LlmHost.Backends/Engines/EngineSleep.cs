namespace LlmHost.Backends.Engines;

/// <summary>How an engine is put to sleep and woken; null on a profile whose engine has no sleep mode wired.</summary>
public sealed record EngineSleep
{
    public required string SleepPath { get; init; }
    public required string WakePath { get; init; }
    public required string IsSleepingPath { get; init; }

    /// <summary>After a level-2 wake the weights must be reloaded and the prefix cache reset (vLLM's documented steps).</summary>
    public required string ReloadWeightsPath { get; init; }
    public required string ResetPrefixCachePath { get; init; }

    /// <summary>Launch flags that make the engine able to sleep.</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>Environment that exposes the sleep routes.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}
