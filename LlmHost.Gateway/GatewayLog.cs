namespace LlmHost.Gateway;

/// <summary>Source-generated log messages; event ids by area: startup 1xx, routing 3xx, forwarding 4xx.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(101, LogLevel.Information, "Gateway loaded {Path} with {BackendCount} backends")]
    public static partial void ConfigLoaded(ILogger logger, string path, int backendCount);

    [LoggerMessage(301, LogLevel.Warning, "Backend instance {Instance} has no address: neither services:{Instance}:http:0 nor a url is configured")]
    public static partial void BackendWithoutAddress(ILogger logger, string instance);

    [LoggerMessage(302, LogLevel.Warning, "Backend instance {Instance} at {Address} did not list its models: {Reason}")]
    public static partial void BackendUnreachable(ILogger logger, string instance, string address, string reason);

    [LoggerMessage(303, LogLevel.Information, "Backend instance {Instance} answers again")]
    public static partial void BackendRecovered(ILogger logger, string instance);

    [LoggerMessage(304, LogLevel.Information, "Routing table now has {ModelCount} models")]
    public static partial void RoutingTableChanged(ILogger logger, int modelCount);

    [LoggerMessage(401, LogLevel.Warning, "Forwarding to {Instance} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string instance, string error, Exception? exception);
}
