namespace LlmHost.Gateway;

/// <summary>Source-generated log messages; event ids by area: startup 1xx, routing 3xx, forwarding 4xx.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(101, LogLevel.Information, "Gateway loaded {Path} with {BackendCount} backends")]
    public static partial void ConfigLoaded(ILogger logger, string path, int backendCount);

    [LoggerMessage(102, LogLevel.Information, "Reloaded {Path}: {BackendCount} backends")]
    public static partial void ConfigReloaded(ILogger logger, string path, int backendCount);

    [LoggerMessage(103, LogLevel.Error, "{Path}: {Problem}")]
    public static partial void ConfigReloadProblem(ILogger logger, string path, string problem);

    [LoggerMessage(104, LogLevel.Error, "Kept the previous configuration: {Path} has {Count} problem(s)")]
    public static partial void ConfigReloadRefused(ILogger logger, string path, int count);

    [LoggerMessage(111, LogLevel.Information, "Reloaded {Path}: {KeyCount} keys")]
    public static partial void KeysReloaded(ILogger logger, string path, int keyCount);

    [LoggerMessage(112, LogLevel.Error, "{Path}: {Problem}")]
    public static partial void KeysReloadProblem(ILogger logger, string path, string problem);

    [LoggerMessage(113, LogLevel.Error, "Kept the previous keys: {Path} has {Count} problem(s)")]
    public static partial void KeysReloadRefused(ILogger logger, string path, int count);

    [LoggerMessage(114, LogLevel.Warning, "{Path}: {Warning}")]
    public static partial void KeyInPlainText(ILogger logger, string path, string warning);

    [LoggerMessage(201, LogLevel.Information, "Admin {Actor}: {Action} key {KeyId}")]
    public static partial void AdminChange(ILogger logger, string actor, string action, string keyId);

    [LoggerMessage(301, LogLevel.Warning, "Backend instance {Instance} has no address: neither services:{Instance}:http:0 nor a url is configured")]
    public static partial void BackendWithoutAddress(ILogger logger, string instance);

    [LoggerMessage(302, LogLevel.Warning, "Backend instance {Instance} failed a probe of {Address}: {Reason}")]
    public static partial void BackendUnreachable(ILogger logger, string instance, string address, string reason);

    [LoggerMessage(303, LogLevel.Information, "Backend instance {Instance} answers again")]
    public static partial void BackendRecovered(ILogger logger, string instance);

    [LoggerMessage(304, LogLevel.Information, "Routing table now has {ModelCount} models")]
    public static partial void RoutingTableChanged(ILogger logger, int modelCount);

    [LoggerMessage(402, LogLevel.Warning, "Backend instance {Instance} refused the connection for {Model}; retrying on another instance")]
    public static partial void RetryingOnAnotherBackend(ILogger logger, string instance, string model);

    [LoggerMessage(305, LogLevel.Warning, "Backend instance {Instance} ejected after {Failures} consecutive failed requests")]
    public static partial void BackendEjected(ILogger logger, string instance, int failures);

    [LoggerMessage(403, LogLevel.Debug, "Client went away while forwarding to {Instance}: {Error}")]
    public static partial void ClientWentAway(ILogger logger, string instance, string error);

    [LoggerMessage(404, LogLevel.Warning, "Backend instance {Instance} answered {Status} with a long error message; the client got its beginning: {Message}")]
    public static partial void BackendErrorCut(ILogger logger, string instance, int status, string message);

    [LoggerMessage(401, LogLevel.Warning, "Forwarding to {Instance} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string instance, string error, Exception? exception);

    [LoggerMessage(501, LogLevel.Information, "Tokenizer {Tokenizer} loaded for prompt token estimates")]
    public static partial void TokenizerLoaded(ILogger logger, string tokenizer);

    [LoggerMessage(502, LogLevel.Error, "Tokenizer {Tokenizer} could not be loaded; prompts of its models are estimated from their characters")]
    public static partial void TokenizerFailed(ILogger logger, string tokenizer, Exception exception);

    [LoggerMessage(503, LogLevel.Warning, "Redis limit store unreachable ({Reason}); this replica enforces its limits locally until Redis answers again")]
    public static partial void RedisLimitsUnavailable(ILogger logger, string reason);

    [LoggerMessage(504, LogLevel.Information, "Redis limit store answers again; limits are shared by the replicas again")]
    public static partial void RedisLimitsResumed(ILogger logger);

    [LoggerMessage(601, LogLevel.Information, "Access log: {Directory} ({Prefix}*.json), files of up to {MaxFileSize} bytes, {RetainedFiles} kept, compressed: {Compress}")]
    public static partial void AccessLogStarted(ILogger logger, string directory, string prefix, long maxFileSize, int retainedFiles, bool compress);

    [LoggerMessage(602, LogLevel.Warning, "Access log: compressing or pruning rolled files failed")]
    public static partial void AccessLogCompressionFailed(ILogger logger, Exception exception);

    [LoggerMessage(505, LogLevel.Warning, "Releasing a Redis lease failed; it expires after the lease TTL")]
    public static partial void RedisReleaseFailed(ILogger logger, Exception exception);
}
