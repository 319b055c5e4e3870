using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

public sealed class PromptTokensDetails
{
    [JsonPropertyName("cached_tokens")]
    public int CachedTokens { get; set; }
}
