namespace LlmHost.Gateway.RateLimiting;

/// <summary>Log messages of the limit stores (events 5xx).</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(503, LogLevel.Warning, "Redis limit store unreachable ({Reason}); this replica enforces its limits locally until Redis answers again")]
    public static partial void RedisLimitsUnavailable(ILogger logger, string reason);

    [LoggerMessage(504, LogLevel.Information, "Redis limit store answers again; limits are shared by the replicas again")]
    public static partial void RedisLimitsResumed(ILogger logger);

    [LoggerMessage(505, LogLevel.Warning, "Releasing a Redis lease failed; it expires after the lease TTL")]
    public static partial void RedisReleaseFailed(ILogger logger, Exception exception);
}
