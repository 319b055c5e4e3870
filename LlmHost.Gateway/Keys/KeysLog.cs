namespace LlmHost.Gateway.Keys;

/// <summary>Log messages of the key file's admin edits (events 2xx).</summary>
internal static partial class KeysLog
{
    [LoggerMessage(201, LogLevel.Information, "Admin {Actor}: {Action} key {KeyId}")]
    public static partial void AdminChange(ILogger logger, string actor, string action, string keyId);
}
