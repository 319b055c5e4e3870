namespace LlmHost.Gateway.Routing;

/// <summary>Log messages of backend discovery and health (events 3xx).</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(301, LogLevel.Warning, "Backend {Backend} has no address: service discovery knows no endpoint of it and it has no url")]
    public static partial void BackendWithoutAddress(ILogger logger, string backend);

    [LoggerMessage(302, LogLevel.Warning, "Backend instance {Instance} failed a probe of {Address}: {Reason}")]
    public static partial void BackendUnreachable(ILogger logger, string instance, string address, string reason);

    [LoggerMessage(303, LogLevel.Information, "Backend instance {Instance} answers again")]
    public static partial void BackendRecovered(ILogger logger, string instance);

    [LoggerMessage(304, LogLevel.Information, "Routing table now has {ModelCount} models")]
    public static partial void RoutingTableChanged(ILogger logger, int modelCount);

    [LoggerMessage(306, LogLevel.Warning, "Resolving the backends' endpoints failed: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string reason);

    [LoggerMessage(307, LogLevel.Error, "A {Round} round failed; the next one runs as planned")]
    public static partial void RoundFailed(ILogger logger, string round, Exception exception);
}
