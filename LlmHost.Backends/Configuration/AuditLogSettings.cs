namespace LlmHost.Backends.Configuration;

/// <summary>The audit log of admin changes: <c>audit.log</c>, rotated by size into <c>audit-TIMESTAMP.log.gz</c>.</summary>
public sealed class AuditLogSettings
{
    /// <summary><c>audit.log</c> is rotated when it reaches this size.</summary>
    public string MaxFileSize { get; set; } = "10MB";

    /// <summary>Rotated files kept, <c>audit.log</c> not counted; older ones are deleted.</summary>
    public int RetainedFiles { get; set; } = 20;

    /// <summary>Rotated files older than this many days are deleted; 0 keeps them whatever their age.</summary>
    public int RetainedDays { get; set; } = 365;
}
