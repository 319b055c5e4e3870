namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateLogging(LoggingSettings logging, Action<string, string> error)
    {
        if (string.IsNullOrWhiteSpace(logging.Dir))
        {
            error("logging.dir", "must not be empty");
        }
        var accessLog = logging.AccessLog;
        if (ByteSize.TryParse(accessLog.MaxFileSize) is not >= 1024)
        {
            error("logging.access_log.max_file_size", $"'{accessLog.MaxFileSize}' is not a size of 1KB or more, such as 512KB, 100MB or 1GB");
        }
        if (accessLog.RetainedFiles < 1)
        {
            error("logging.access_log.retained_files", "must be at least 1");
        }
        CheckRetainedDays("logging.access_log.retained_days", accessLog.RetainedDays, error);
        var totalBound = string.IsNullOrWhiteSpace(accessLog.MaxTotalSize) ? 0 : ByteSize.TryParse(accessLog.MaxTotalSize);
        if (totalBound is null || (totalBound > 0 && totalBound < ByteSize.TryParse(accessLog.MaxFileSize)))
        {
            error("logging.access_log.max_total_size", $"'{accessLog.MaxTotalSize}' is not a size of at least max_file_size ({accessLog.MaxFileSize}), such as 2GB; 0 for no bound");
        }
        var audit = logging.AuditLog;
        if (ByteSize.TryParse(audit.MaxFileSize) is not >= 1024)
        {
            error("logging.audit_log.max_file_size", $"'{audit.MaxFileSize}' is not a size of 1KB or more, such as 10MB");
        }
        if (audit.RetainedFiles < 1)
        {
            error("logging.audit_log.retained_files", "must be at least 1: rotated audit files are the history of admin changes");
        }
        CheckRetainedDays("logging.audit_log.retained_days", audit.RetainedDays, error);
    }

    private static void CheckRetainedDays(string path, int days, Action<string, string> error)
    {
        if (days < 0)
        {
            error(path, "must not be negative (0 keeps files whatever their age)");
        }
    }
}
