using System.Text.Json;
using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Admin;

/// <summary>
/// Appends one JSON line per admin change to <c>{logging.dir}/audit.log</c>: when, who (the admin key's id), what, and
/// to which key. Never a secret or a hash.
/// </summary>
public sealed class AuditLog(GatewayConfigProvider config)
{
    private readonly Lock _lock = new();

    public string Path => System.IO.Path.GetFullPath(System.IO.Path.Combine(config.Current.Settings.Logging.Dir, "audit.log"));

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
                    json.WriteString(name, value);
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var path = Path;
        lock (_lock)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            stream.Write(buffer.WrittenSpan);
            stream.WriteByte((byte)'\n');
        }
    }
}
