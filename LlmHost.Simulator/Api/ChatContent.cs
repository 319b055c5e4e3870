using System.Buffers;
using System.Text.Json;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Chat messages built from another API's conversation items: their content is a JSON string, or a list of text
/// parts, which the tokenizer counts as it counts chat content (images, having no text, count nothing).
/// </summary>
internal static class ChatContent
{
    public static ChatMessage Message(string role, string text) => new() { Role = role, Content = Json(json => json.WriteStringValue(text)) };

    public static ChatMessage Message(string role, IReadOnlyList<string> texts) => new()
    {
        Role = role,
        Content = Json(json =>
        {
            json.WriteStartArray();
            foreach (var text in texts)
            {
                json.WriteStartObject();
                json.WriteString("type", "text");
                json.WriteString("text", text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }),
    };

    /// <summary>The texts of content that is a string or a list of parts with a <c>text</c>; null for any other JSON.</summary>
    public static List<string>? Texts(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [content.GetString()!];
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var texts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                texts.Add(text.GetString()!);
            }
        }
        return texts;
    }

    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
