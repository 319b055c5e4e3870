namespace LlmHost.Gateway.Adapters;

/// <summary>Log messages of adapter loads, unloads and placement (events 8xx).</summary>
internal static partial class AdaptersLog
{
    [LoggerMessage(801, LogLevel.Information, "Adapter {Adapter} loaded on {Instance} in {Milliseconds} ms")]
    public static partial void Loaded(ILogger logger, string adapter, string instance, long milliseconds);

    [LoggerMessage(802, LogLevel.Warning, "Adapter {Adapter} could not be loaded on {Instance}: {Status} {Message}")]
    public static partial void LoadFailed(ILogger logger, string adapter, string instance, int status, string message);

    [LoggerMessage(803, LogLevel.Information, "Adapter {Adapter} unloaded from {Instance} ({Reason})")]
    public static partial void Unloaded(ILogger logger, string adapter, string instance, string reason);

    [LoggerMessage(804, LogLevel.Warning, "Adapter {Adapter} could not be unloaded from {Instance}: {Status} {Message}")]
    public static partial void UnloadFailed(ILogger logger, string adapter, string instance, int status, string message);

    [LoggerMessage(805, LogLevel.Information, "Adapter {Adapter} loaded on {Instance} too: the instances holding it are busy")]
    public static partial void Spread(ILogger logger, string adapter, string instance);

    [LoggerMessage(806, LogLevel.Error, "A round of loading the declared adapters failed; the next one runs as planned")]
    public static partial void DeclaredRoundFailed(ILogger logger, Exception exception);
}
