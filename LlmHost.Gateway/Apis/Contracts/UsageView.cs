using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

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
