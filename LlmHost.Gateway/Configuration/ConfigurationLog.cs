namespace LlmHost.Gateway.Configuration;

/// <summary>Log messages of configuration and key-file reloads (events 1xx).</summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(102, LogLevel.Information, "Reloaded {Path}")]
    public static partial void Reloaded(ILogger logger, string path);

    [LoggerMessage(103, LogLevel.Error, "{Path}: {Problem}")]
    public static partial void ReloadProblem(ILogger logger, string path, string problem);

    [LoggerMessage(104, LogLevel.Error, "Kept the previous version: {Path} has {Count} problem(s)")]
    public static partial void ReloadRefused(ILogger logger, string path, int count);

    [LoggerMessage(114, LogLevel.Warning, "{Path}: {Warning}")]
    public static partial void Warning(ILogger logger, string path, string warning);
}
