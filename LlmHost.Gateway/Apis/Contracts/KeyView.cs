using System.Text.Json.Serialization;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Apis.Contracts;

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
