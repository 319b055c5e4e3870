namespace LlmHost.Backends.Configuration;

/// <summary>The access log: one JSON line per request, in files rolled by day and by size.</summary>
public sealed class AccessLogSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>A file is closed and a new one started when it reaches this size (and at midnight UTC): 100MB, 512KB, 1GB.</summary>
    public string MaxFileSize { get; set; } = "100MB";

    /// <summary>Files kept, the one being written included; older ones are deleted.</summary>
    public int RetainedFiles { get; set; } = 30;

    /// <summary>Files older than this many days are deleted; 0 keeps them whatever their age.</summary>
    public int RetainedDays { get; set; } = 14;

    /// <summary>
    /// Most bytes this process's access-log files may take together (current and compressed); the oldest closed
    /// files are deleted beyond it. Empty or 0: no bound besides count and age.
    /// </summary>
    public string MaxTotalSize { get; set; } = "2GB";

    /// <summary>Closed files are compressed with gzip.</summary>
    public bool Compress { get; set; } = true;
}
