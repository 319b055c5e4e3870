namespace LlmHost.Gateway.FlowControl;

/// <summary>Log messages of flow control (events 10xx).</summary>
internal static partial class FlowControlLog
{
    [LoggerMessage(1001, LogLevel.Warning, "Redis does not answer ({Reason}); the flow-control queues of this replica take turns on their own until it does")]
    public static partial void SharedTurnsUnavailable(ILogger logger, string reason);

    [LoggerMessage(1002, LogLevel.Information, "Redis answers again; the flow-control queues share their turns with the other replicas again")]
    public static partial void SharedTurnsResumed(ILogger logger);
}
