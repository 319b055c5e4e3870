using System.IO.Compression;
using System.Text.Json;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Utilities;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// Appends one JSON line per admin change to <c>{logging.dir}/audit.log</c>: when, who (the admin key's id), what, to
/// which key, and whether it was applied. Never a secret or a hash. The line is written before the key file changes
/// (a change that cannot be audited is not made) and a second line records a change that then failed. When the file
/// reaches <c>logging.audit_log.max_file_size</c> it is rotated to <c>audit-TIMESTAMP.log.gz</c> (a name no other
/// file has), and rotated files beyond the retention (count, age) are deleted; a rotation that fails leaves the file
/// growing rather than losing a line. Called under the key file's cross-process lock, so replicas sharing the folder
/// append and rotate one file in turn.
/// </summary>
public sealed class AuditLog(IOptionsMonitor<LlmHostConfig> config, ILogger<AuditLog> logger)
{
    private readonly Lock _lock = new();

    public string Path => System.IO.Path.GetFullPath(System.IO.Path.Combine(config.CurrentValue.Logging.Dir, "audit.log"));

    /// <summary>
    /// Appends a line; false (and logged) when it could not be written. <paramref name="subjectField"/> names what was
    /// changed: <c>key_id</c> for keys, <c>adapter</c> for adapters.
    /// </summary>
    public bool TryAppend(string actor, string action, string keyId, string outcome, IReadOnlyDictionary<string, string?>? details = null,
        string subjectField = "key_id")
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("actor", actor);
            json.WriteString("action", action);
            json.WriteString(subjectField, keyId);
            json.WriteString("outcome", outcome);
            if (details is not null)
            {
                json.WriteStartObject("details");
                foreach (var (name, value) in details)
                {
                    json.WriteString(name, Utilities.ClientText.BoundOrNull(value));
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var path = Path;
        lock (_lock)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                TryRotate(path, config.CurrentValue.Logging.AuditLog);
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                stream.Write(buffer.WrittenSpan);
                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                KeysLog.AuditWriteFailed(logger, path, ex);
                return false;
            }
        }
    }

    private void TryRotate(string path, AuditLogSettings settings)
    {
        var current = new FileInfo(path);
        if (!current.Exists || current.Length < ByteSize.TryParse(settings.MaxFileSize))
        {
            return;
        }
        var directory = current.DirectoryName!;
        var rotated = UniqueName(directory);
        try
        {
            using (var source = File.OpenRead(path))
            using (var output = File.Create(rotated + ".tmp"))
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            {
                source.CopyTo(gzip);
            }
            File.Move(rotated + ".tmp", rotated, overwrite: false);
            File.Delete(path);
            TimeSpan? age = settings.RetainedDays > 0 ? TimeSpan.FromDays(settings.RetainedDays) : null;
            new LogRetention(settings.RetainedFiles + 1, age, null).Apply(new DirectoryInfo(directory).EnumerateFiles("audit-*.log.gz"), 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only folder: the line still goes to the current file.
            KeysLog.AuditRotationFailed(logger, path, ex);
            try
            {
                File.Delete(rotated + ".tmp");
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Left behind: the next rotation's name differs, and retention never reads .tmp files.
            }
        }
    }

    // The time to the millisecond, and a counter when another file (another replica's, a clock set back) has it.
    private static string UniqueName(string directory)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var name = System.IO.Path.Combine(directory, $"audit-{stamp}.log.gz");
        for (var i = 1; File.Exists(name); i++)
        {
            name = System.IO.Path.Combine(directory, $"audit-{stamp}-{i}.log.gz");
        }
        return name;
    }
}
