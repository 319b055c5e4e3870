using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

public sealed class KeyList
{
    [JsonPropertyName("keys")] public List<KeyView> Keys { get; set; } = [];
}
