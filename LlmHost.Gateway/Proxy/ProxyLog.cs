namespace LlmHost.Gateway.Proxy;

/// <summary>Log messages of forwarding (events 4xx).</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(401, LogLevel.Warning, "Forwarding to {Instance} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string instance, string error, Exception? exception);

    [LoggerMessage(402, LogLevel.Warning, "Backend instance {Instance} refused the connection for {Model}; retrying on another instance")]
    public static partial void RetryingOnAnotherBackend(ILogger logger, string instance, string model);

    [LoggerMessage(403, LogLevel.Debug, "Client went away while forwarding to {Instance}: {Error}")]
    public static partial void ClientWentAway(ILogger logger, string instance, string error);

    [LoggerMessage(404, LogLevel.Warning, "Backend instance {Instance} answered {Status} with a long error message; the client got its beginning: {Message}")]
    public static partial void BackendErrorCut(ILogger logger, string instance, int status, string message);

    [LoggerMessage(305, LogLevel.Warning, "Backend instance {Instance} ejected after {Failures} consecutive failed requests")]
    public static partial void BackendEjected(ILogger logger, string instance, int failures);

    [LoggerMessage(405, LogLevel.Warning, "Backend instance {Instance} answered with a redirect ({Status}); the client got a 502")]
    public static partial void BackendRedirected(ILogger logger, string instance, int status);
}
