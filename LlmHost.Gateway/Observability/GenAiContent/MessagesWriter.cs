using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>
/// Writes messages in the shape of OpenTelemetry's GenAI <c>gen_ai.input.messages</c> / <c>gen_ai.output.messages</c>
/// attributes: <c>[{"role":…,"parts":[{"type":"text","content":…}, …],"finish_reason":…}]</c> — or, for
/// <c>gen_ai.system_instructions</c>, the parts alone (<see cref="PartsOnly"/>). Text is written as it is (no
/// <c>\uXXXX</c> for every non-ASCII character): the attribute is read as JSON, never placed in HTML.
/// </summary>
public sealed class MessagesWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly bool _partsOnly;
    private int _messages;
    private int _parts;

    public MessagesWriter(bool partsOnly = false)
    {
        _partsOnly = partsOnly;
        _json = new Utf8JsonWriter(_buffer, Options);
        _json.WriteStartArray();
    }

    /// <summary>A writer of parts without messages around them (system instructions).</summary>
    public static MessagesWriter PartsOnly() => new(partsOnly: true);

    public void StartMessage(string role)
    {
        _json.WriteStartObject();
        _json.WriteString("role"u8, role);
        _json.WritePropertyName("parts"u8);
        _json.WriteStartArray();
        _messages++;
    }

    /// <summary>Ends the parts of the message, then the message with its finish reason when it has one.</summary>
    public void EndMessage(string? finishReason = null)
    {
        _json.WriteEndArray();
        if (finishReason is not null)
        {
            _json.WriteString("finish_reason"u8, FinishReasonOf(finishReason));
        }
        _json.WriteEndObject();
    }

    public void TextPart(string text)
    {
        _parts++;
        _json.WriteStartObject();
        _json.WriteString("type"u8, "text"u8);
        _json.WriteString("content"u8, text);
        _json.WriteEndObject();
    }

    /// <summary>A part whose content is not text (an image, a file, …): its type only.</summary>
    public void OpaquePart(string type)
    {
        _parts++;
        _json.WriteStartObject();
        _json.WriteString("type"u8, type);
        _json.WriteEndObject();
    }

    public void ToolCallPart(string? id, string? name, JsonElement arguments)
    {
        StartToolCall(id, name);
        WriteValue("arguments"u8, arguments);
        _json.WriteEndObject();
    }

    /// <summary>A streamed tool call, its arguments as the text they were streamed as.</summary>
    public void ToolCallPart(string? id, string? name, string arguments)
    {
        StartToolCall(id, name);
        _json.WriteString("arguments"u8, arguments);
        _json.WriteEndObject();
    }

    private void StartToolCall(string? id, string? name)
    {
        _parts++;
        _json.WriteStartObject();
        _json.WriteString("type"u8, "tool_call"u8);
        _json.WriteString("id"u8, id);
        _json.WriteString("name"u8, name);
    }

    public void ToolResponsePart(string? id, JsonElement response)
    {
        _parts++;
        _json.WriteStartObject();
        _json.WriteString("type"u8, "tool_call_response"u8);
        _json.WriteString("id"u8, id);
        WriteValue("response"u8, response);
        _json.WriteEndObject();
    }

    private void WriteValue(ReadOnlySpan<byte> name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            _json.WriteNull(name);
            return;
        }
        _json.WritePropertyName(name);
        value.WriteTo(_json);
    }

    /// <summary>A string, or an array of content parts (any dialect's: <c>text</c>, <c>input_text</c>, <c>output_text</c>, …).</summary>
    public void ContentParts(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            TextPart(content.GetString()!);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.String)
            {
                TextPart(part.GetString()!);
            }
            else if (part.ValueKind == JsonValueKind.Object)
            {
                Part(part);
            }
        }
    }

    /// <summary>One content part of any dialect: text, a tool call or a tool's answer, else its type only.</summary>
    public void Part(JsonElement part)
    {
        if (part.TryGetProperty("text"u8, out var text) && text.ValueKind == JsonValueKind.String)
        {
            TextPart(text.GetString()!);
            return;
        }
        var type = Elements.String(part, "type"u8);
        switch (type)
        {
            case "tool_use":
                ToolCallPart(Elements.String(part, "id"u8), Elements.String(part, "name"u8), Elements.Property(part, "input"u8));
                break;
            case "function_call":
                ToolCallPart(Elements.String(part, "call_id"u8), Elements.String(part, "name"u8), Elements.Property(part, "arguments"u8));
                break;
            case "tool_result":
                ToolResponsePart(Elements.String(part, "tool_use_id"u8), Elements.Property(part, "content"u8));
                break;
            case "function_call_output":
                ToolResponsePart(Elements.String(part, "call_id"u8), Elements.Property(part, "output"u8));
                break;
            default:
                OpaquePart(type ?? "unknown");
                break;
        }
    }

    /// <summary>The messages (or parts) written, or null when there were none.</summary>
    public string? ToJson()
    {
        _json.WriteEndArray();
        _json.Flush();
        return (_partsOnly ? _parts : _messages) == 0 ? null : System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _json.Dispose();

    /// <summary>
    /// An answer's finish in the conventions' values (<c>stop</c>, <c>length</c>, <c>tool_call</c>,
    /// <c>content_filter</c>, <c>error</c>) from any dialect's (chat's <c>tool_calls</c>, Messages' <c>end_turn</c>,
    /// <c>max_tokens</c>, <c>tool_use</c>, Responses' <c>completed</c>, <c>max_output_tokens</c>, …); others as they are.
    /// </summary>
    public static string FinishReasonOf(string reason) => reason switch
    {
        "stop" or "end_turn" or "stop_sequence" or "completed" => "stop",
        "length" or "max_tokens" or "max_output_tokens" or "incomplete" => "length",
        "tool_calls" or "tool_use" or "function_call" => "tool_call",
        "content_filter" or "refusal" => "content_filter",
        "failed" or "error" => "error",
        _ => reason,
    };
}
