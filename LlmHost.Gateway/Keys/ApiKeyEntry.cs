using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Keys;

/// <summary>One key as stored: its hash, never its secret (a plaintext <c>key</c> is accepted for migration only).</summary>
public sealed class ApiKeyEntry
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("role")] public string Role { get; set; } = ApiKeyRoles.User;

    /// <summary>Hex SHA-256 of the secret.</summary>
    [JsonPropertyName("key_sha256")] public string? KeySha256 { get; set; }

    /// <summary>Plaintext secret, for migration: hashed in memory, warned about on every load.</summary>
    [JsonPropertyName("key")] public string? Key { get; set; }

    /// <summary>Model names or <c>*</c> patterns the key may use (adapters included); empty or absent means all.</summary>
    [JsonPropertyName("models")] public List<string>? Models { get; set; }

    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("disabled"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Disabled { get; set; }
    [JsonPropertyName("limits")] public KeyLimitsEntry? Limits { get; set; }

    /// <summary>Debugging: the access log keeps this key's request and response bodies (first 16 KiB each).</summary>
    [JsonPropertyName("log_bodies")] public bool? LogBodies { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("rotated_at")] public DateTimeOffset? RotatedAt { get; set; }

    /// <summary>After a rotation, the old secret's hash stays valid until <see cref="PreviousValidUntil"/>.</summary>
    [JsonPropertyName("previous_key_sha256")] public string? PreviousKeySha256 { get; set; }
    [JsonPropertyName("previous_valid_until")] public DateTimeOffset? PreviousValidUntil { get; set; }
}
