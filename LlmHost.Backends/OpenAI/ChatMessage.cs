using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

public sealed class ChatMessage
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = "";

    /// <summary>A string, a list of content parts, or null (assistant tool calls).</summary>
    [JsonPropertyName("content")]
    public JsonElement? Content { get; set; }
}
