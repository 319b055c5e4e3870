namespace LlmHost.Backends.Configuration;

public sealed class LoggingSettings
{
    /// <summary>Directory of the access log files (and the admin audit log), relative to the working directory.</summary>
    public string Dir { get; set; } = "logs";

    public AccessLogSettings AccessLog { get; set; } = new();

    public AuditLogSettings AuditLog { get; set; } = new();
}
