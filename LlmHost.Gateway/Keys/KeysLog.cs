namespace LlmHost.Gateway.Keys;

/// <summary>Log messages of the key file's admin edits (events 2xx).</summary>
internal static partial class KeysLog
{
    [LoggerMessage(201, LogLevel.Information, "Admin {Actor}: {Action} key {KeyId}")]
    public static partial void AdminChange(ILogger logger, string actor, string action, string keyId);

    [LoggerMessage(202, LogLevel.Error, "The audit log {Path} could not be written")]
    public static partial void AuditWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(203, LogLevel.Warning, "The audit log {Path} could not be rotated; it keeps growing until it can be")]
    public static partial void AuditRotationFailed(ILogger logger, string path, Exception exception);
}
