namespace LlmHost.Gateway.Lifecycle;

/// <summary>Log messages of engine sleep and wake (events 9xx).</summary>
internal static partial class LifecycleLog
{
    [LoggerMessage(901, LogLevel.Information, "Engine {Instance} put to sleep (level {Level}): {Reason}")]
    public static partial void Slept(ILogger logger, string instance, int level, string reason);

    [LoggerMessage(902, LogLevel.Warning, "Engine {Instance} could not be put to sleep: {Status} {Message}")]
    public static partial void SleepFailed(ILogger logger, string instance, int status, string message);

    [LoggerMessage(903, LogLevel.Information, "Engine {Instance} woken in {Milliseconds} ms: {Reason}")]
    public static partial void Woke(ILogger logger, string instance, long milliseconds, string reason);

    [LoggerMessage(904, LogLevel.Warning, "Engine {Instance} could not be woken: {Status} {Message}")]
    public static partial void WakeFailed(ILogger logger, string instance, int status, string message);

    [LoggerMessage(905, LogLevel.Warning, "Sleep check of engine {Instance} failed")]
    public static partial void RoundFailed(ILogger logger, string instance, Exception exception);
}
