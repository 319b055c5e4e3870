using System.IO.Compression;
using System.Text.Json;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Utilities;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// Appends one JSON line per admin change to <c>{logging.dir}/audit.log</c>: when, who (the admin key's id), what, and
/// to which key. Never a secret or a hash. When the file reaches <c>logging.audit_log.max_file_size</c> it is rotated
/// to <c>audit-TIMESTAMP.log.gz</c>, and rotated files beyond the retention (count, age) are deleted. Called under the
/// key file's cross-process lock, so replicas sharing the folder append and rotate one file in turn.
/// </summary>
public sealed class AuditLog(IOptionsMonitor<LlmHostConfig> config)
{
    private readonly Lock _lock = new();

    public string Path => System.IO.Path.GetFullPath(System.IO.Path.Combine(config.CurrentValue.Logging.Dir, "audit.log"));

    public void Append(string actor, string action, string keyId, IReadOnlyDictionary<string, string?>? details = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow);
            json.WriteString("actor", actor);
            json.WriteString("action", action);
            json.WriteString("key_id", keyId);
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
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            RotateIfFull(path, config.CurrentValue.Logging.AuditLog);
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(buffer.WrittenSpan);
            stream.WriteByte((byte)'\n');
        }
    }

    private static void RotateIfFull(string path, AuditLogSettings settings)
    {
        var current = new FileInfo(path);
        if (!current.Exists || current.Length < ByteSize.TryParse(settings.MaxFileSize))
        {
            return;
        }
        var directory = current.DirectoryName!;
        var rotated = System.IO.Path.Combine(directory, $"audit-{DateTime.UtcNow:yyyyMMddTHHmmssfff}.log.gz");
        using (var source = File.OpenRead(path))
        using (var output = File.Create(rotated + ".tmp"))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            source.CopyTo(gzip);
        }
        File.Move(rotated + ".tmp", rotated, overwrite: true);
        File.Delete(path);
        TimeSpan? age = settings.RetainedDays > 0 ? TimeSpan.FromDays(settings.RetainedDays) : null;
        new LogRetention(settings.RetainedFiles + 1, age, null).Apply(new DirectoryInfo(directory).EnumerateFiles("audit-*.log.gz"), 0);
    }
}
