using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>What the log folder holds, for <c>GET /admin/logs</c>: the access log files and the audit log, rotated ones included.</summary>
public sealed record LogFileStatistics(
    [property: JsonPropertyName("directory")] string Directory,
    [property: JsonPropertyName("files")] int Files,
    [property: JsonPropertyName("total_bytes")] long TotalBytes,
    [property: JsonPropertyName("oldest")] LogFileInfo? Oldest,
    [property: JsonPropertyName("newest")] LogFileInfo? Newest,
    [property: JsonPropertyName("entries")] IReadOnlyList<LogFileInfo> Entries)
{
    public static LogFileStatistics Read(string directory, string prefix)
    {
        var entries = new List<LogFileInfo>();
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
            {
                if (file.Name.StartsWith(prefix, StringComparison.Ordinal) || file.Name == "audit.log" || file.Name.StartsWith("audit-", StringComparison.Ordinal))
                {
                    entries.Add(new LogFileInfo(file.Name, file.Length, file.LastWriteTimeUtc, file.Name.EndsWith(".gz", StringComparison.Ordinal)));
                }
            }
        }
        entries.Sort(static (a, b) => a.Modified.CompareTo(b.Modified));
        long total = 0;
        foreach (var entry in entries)
        {
            total += entry.Bytes;
        }
        return new LogFileStatistics(directory, entries.Count, total, entries.Count > 0 ? entries[0] : null, entries.Count > 0 ? entries[^1] : null, entries);
    }
}
