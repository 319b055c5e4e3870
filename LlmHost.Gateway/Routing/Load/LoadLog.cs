namespace LlmHost.Gateway.Routing.Load;

internal static partial class LoadLog
{
    [LoggerMessage(308, LogLevel.Error, "A round of reading the engines' load failed; the next one runs as planned")]
    public static partial void RoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(309, LogLevel.Warning, "Could not read the load of {Instance} from its metrics ({Reason}); its in-flight count stands in, and the next read is in 10 s")]
    public static partial void ReadFailed(ILogger logger, string instance, string reason);

    [LoggerMessage(310, LogLevel.Debug, "Still could not read the load of {Instance} from its metrics ({Reason})")]
    public static partial void StillFailing(ILogger logger, string instance, string reason);
}
