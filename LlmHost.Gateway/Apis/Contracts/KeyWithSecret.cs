using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>The answer to create and rotate: the key and, this once, its secret.</summary>
public sealed class KeyWithSecret
{
    [JsonPropertyName("key")] public KeyView Key { get; set; } = new();
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
}
