using System.Text.Json.Serialization;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Admin;

/// <summary>A key as the admin API shows it: everything but its secret and hashes.</summary>
public sealed class KeyView
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("role")] public string Role { get; set; } = "";
    [JsonPropertyName("models")] public List<string>? Models { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("disabled")] public bool Disabled { get; set; }
    [JsonPropertyName("limits")] public KeyLimitsEntry? Limits { get; set; }
    [JsonPropertyName("log_bodies")] public bool? LogBodies { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("rotated_at")] public DateTimeOffset? RotatedAt { get; set; }
    [JsonPropertyName("previous_valid_until")] public DateTimeOffset? PreviousValidUntil { get; set; }

    public static KeyView Of(ApiKeyEntry e) => new()
    {
        Id = e.Id,
        Name = e.Name,
        Role = e.Role,
        Models = e.Models,
        ExpiresAt = e.ExpiresAt,
        Disabled = e.Disabled,
        Limits = e.Limits,
        LogBodies = e.LogBodies,
        CreatedAt = e.CreatedAt,
        RotatedAt = e.RotatedAt,
        PreviousValidUntil = e.PreviousValidUntil,
    };
}

public sealed class KeyList
{
    [JsonPropertyName("keys")] public List<KeyView> Keys { get; set; } = [];
}

/// <summary>The answer to create and rotate: the key and, this once, its secret.</summary>
public sealed class KeyWithSecret
{
    [JsonPropertyName("key")] public KeyView Key { get; set; } = new();
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
}

/// <summary>Body of create (all but id optional) and update (every field optional; absent means unchanged).</summary>
public sealed class KeyRequest
{
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("role")] public string? Role { get; set; }
    [JsonPropertyName("models")] public List<string>? Models { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
    [JsonPropertyName("clear_expiry")] public bool? ClearExpiry { get; set; }
    [JsonPropertyName("limits")] public KeyLimitsEntry? Limits { get; set; }
    [JsonPropertyName("log_bodies")] public bool? LogBodies { get; set; }
}

public sealed class RotateRequest
{
    /// <summary>How long the old secret stays valid; default <c>gateway.key_rotation_overlap</c>.</summary>
    [JsonPropertyName("overlap_seconds")] public double? OverlapSeconds { get; set; }
}

public sealed class UsageView
{
    [JsonPropertyName("key_id")] public string KeyId { get; set; } = "";
    [JsonPropertyName("requests")] public long Requests { get; set; }
    [JsonPropertyName("errors")] public long Errors { get; set; }
    [JsonPropertyName("aborted")] public long Aborted { get; set; }
    [JsonPropertyName("rejections")] public long Rejections { get; set; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; set; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; set; }
}

public sealed class BackendView
{
    [JsonPropertyName("instance")] public string Instance { get; set; } = "";
    [JsonPropertyName("backend")] public string Backend { get; set; } = "";
    [JsonPropertyName("engine")] public string Engine { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("reachable")] public bool Reachable { get; set; }
    [JsonPropertyName("ejected")] public bool Ejected { get; set; }
    [JsonPropertyName("outstanding")] public int Outstanding { get; set; }
    [JsonPropertyName("models")] public List<string> Models { get; set; } = [];
}

public sealed class RouteView
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("instances")] public List<string> Instances { get; set; } = [];
}

public sealed class AdminHealth
{
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("config_path")] public string ConfigPath { get; set; } = "";
    [JsonPropertyName("config_error")] public string? ConfigError { get; set; }
    [JsonPropertyName("keys_path")] public string KeysPath { get; set; } = "";
    [JsonPropertyName("keys_error")] public string? KeysError { get; set; }
    [JsonPropertyName("keys")] public int Keys { get; set; }
    [JsonPropertyName("keys_loaded_at")] public DateTimeOffset KeysLoadedAt { get; set; }
}

/// <summary>GET /admin/limits: the limit store and, per key, what is held and left in this process.</summary>
public sealed class LimitsView
{
    [JsonPropertyName("store")] public string Store { get; set; } = "";

    /// <summary>Redis store only: true while Redis answers; false while this replica limits on its own.</summary>
    [JsonPropertyName("shared")] public bool? Shared { get; set; }

    /// <summary>Redis store only: leases this replica holds in Redis.</summary>
    [JsonPropertyName("redis_leases")] public int? RedisLeases { get; set; }

    [JsonPropertyName("global_active_leases")] public int GlobalActiveLeases { get; set; }
    [JsonPropertyName("keys")] public List<KeyLimitsView> Keys { get; set; } = [];
}

public sealed class KeyLimitsView
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("active_leases")] public int ActiveLeases { get; set; }
    [JsonPropertyName("open_reservations")] public int OpenReservations { get; set; }
    [JsonPropertyName("reserved_tokens")] public long ReservedTokens { get; set; }
    [JsonPropertyName("requests_remaining")] public long? RequestsRemaining { get; set; }
    [JsonPropertyName("tokens_remaining")] public long? TokensRemaining { get; set; }
    [JsonPropertyName("concurrency_remaining")] public int? ConcurrencyRemaining { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(KeyWithSecret))]
[JsonSerializable(typeof(KeyRequest))]
[JsonSerializable(typeof(RotateRequest))]
[JsonSerializable(typeof(List<UsageView>))]
[JsonSerializable(typeof(List<BackendView>))]
[JsonSerializable(typeof(List<RouteView>))]
[JsonSerializable(typeof(AdminHealth))]
[JsonSerializable(typeof(LimitsView))]
[JsonSerializable(typeof(Observability.AccessLogging.LogFileStatistics))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
