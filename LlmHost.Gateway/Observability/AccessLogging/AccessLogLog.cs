namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>Log messages of the access log (events 6xx).</summary>
internal static partial class AccessLogLog
{
    [LoggerMessage(601, LogLevel.Information, "Access log: {Directory} ({Prefix}*.json), files of up to {MaxFileSize} bytes, {RetainedFiles} kept, compressed: {Compress}")]
    public static partial void Started(ILogger logger, string directory, string prefix, long maxFileSize, int retainedFiles, bool compress);

    [LoggerMessage(602, LogLevel.Warning, "Access log: compressing or pruning rolled files failed")]
    public static partial void CompressionFailed(ILogger logger, Exception exception);
}
