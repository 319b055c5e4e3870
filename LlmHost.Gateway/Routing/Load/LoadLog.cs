namespace LlmHost.Gateway.Routing.Load;

internal static partial class LoadLog
{
    [LoggerMessage(308, LogLevel.Error, "A round of reading the engines' load failed; the next one runs as planned")]
    public static partial void RoundFailed(ILogger logger, Exception exception);
}
