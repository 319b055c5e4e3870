namespace LlmHost.Backends.Engines;

/// <summary>
/// How an engine is put to sleep and woken; null on a profile whose engine has no sleep mode wired. vLLM: <c>POST
/// /sleep?level=1|2</c> and <c>POST /wake_up</c> (development-mode routes). SGLang: <c>POST /release_memory_occupation</c>
/// and <c>POST /resume_memory_occupation</c> with the memory saver on and the weights kept in CPU memory, one level.
/// </summary>
public sealed record EngineSleep
{
    public required string SleepPath { get; init; }
    public required string WakePath { get; init; }

    /// <summary>Where the engine says whether it sleeps; null when it has no such route (SGLang).</summary>
    public string? IsSleepingPath { get; init; }

    /// <summary>The sleep route takes <c>?level=</c> (vLLM).</summary>
    public bool LevelInQuery { get; init; }

    /// <summary>The deepest level the engine can sleep at and still wake without outside help.</summary>
    public int MaxLevel { get; init; } = 1;

    /// <summary>JSON posted to the sleep and wake routes; null for none.</summary>
    public string? Body { get; init; }

    /// <summary>After a level-2 wake the weights must be reloaded and the prefix cache reset (vLLM's documented steps).</summary>
    public string? ReloadWeightsPath { get; init; }
    public string? ResetPrefixCachePath { get; init; }

    /// <summary>Launch flags that make the engine able to sleep.</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>Environment that exposes the sleep routes.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}
