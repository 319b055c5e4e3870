namespace LlmHost.Backends.Configuration;

public sealed class LoggingSettings
{
    /// <summary>Directory of the access log files (and the admin audit log), relative to the working directory.</summary>
    public string Dir { get; set; } = "logs";

    public AccessLogSettings AccessLog { get; set; } = new();

    public AuditLogSettings AuditLog { get; set; } = new();

    /// <summary>
    /// Trace the gateway's own calls to the engines (health probes, discovery polls, metrics reads, sleep, adapters).
    /// Off by default: they would bury the traces of client requests; their failures are logged and counted either way.
    /// </summary>
    public bool TraceControlPlane { get; set; }
}
