using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

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
