using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

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
