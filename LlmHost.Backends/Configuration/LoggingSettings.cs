namespace LlmHost.Backends.Configuration;

public sealed class LoggingSettings
{
    /// <summary>Directory of the access log files, relative to the working directory.</summary>
    public string Dir { get; set; } = "logs";
}
