using System.Text.Json.Serialization;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Apis.Contracts;

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
