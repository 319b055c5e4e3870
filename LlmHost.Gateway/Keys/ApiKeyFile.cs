using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Keys;

/// <summary>The key file, <c>config/api_keys.json</c>: <c>{"keys": [ … ]}</c>.</summary>
public sealed class ApiKeyFile
{
    [JsonPropertyName("keys")]
    public List<ApiKeyEntry> Keys { get; set; } = [];
}
