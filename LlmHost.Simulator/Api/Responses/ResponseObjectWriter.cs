using System.Text.Json;

namespace LlmHost.Simulator.Api.Responses;

/// <summary>
/// Writes OpenAI's Response object and its one output message, with every field the OpenAI SDKs read, filled as
/// vLLM fills them (<c>max_output_tokens</c> is the limit the engine applied, <c>temperature</c> and <c>top_p</c> the
/// sampling values used).
/// </summary>
internal sealed class ResponseObjectWriter(ResponsesApiRequest request, string model, int maxOutputTokens, int inputTokens, int cachedTokens)
{
    public string Id { get; } = "resp_" + Guid.NewGuid().ToString("N");
    public string ItemId { get; } = "msg_" + Guid.NewGuid().ToString("N");
    private readonly long _createdAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>
    /// The response; <paramref name="text"/> null while in progress (no output yet), <paramref name="outputTokens"/>
    /// null before usage is known.
    /// </summary>
    public void WriteResponse(Utf8JsonWriter json, string status, string? text, int? outputTokens)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", _createdAt);
        json.WriteString("status", status);
        json.WriteBoolean("background", false);
        json.WriteNull("error");
        if (status == "incomplete")
        {
            json.WriteStartObject("incomplete_details");
            json.WriteString("reason", "max_output_tokens");
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details");
        }
        WriteStringOrNull(json, "instructions", request.Instructions);
        json.WriteNumber("max_output_tokens", maxOutputTokens);
        json.WriteNull("max_tool_calls");
        json.WriteString("model", model);
        json.WriteStartArray("output");
        if (text is not null)
        {
            WriteMessageItem(json, "completed", text);
        }
        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls", request.ParallelToolCalls);
        WriteStringOrNull(json, "previous_response_id", request.PreviousResponseId);
        json.WriteNull("reasoning");
        json.WriteString("service_tier", "auto");
        json.WriteBoolean("store", request.Store);
        json.WriteNumber("temperature", request.Request.Temperature ?? 1.0);
        WriteEchoed(json, "text", request.Text, static json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("format");
            json.WriteString("type", "text");
            json.WriteEndObject();
            json.WriteEndObject();
        });
        WriteEchoed(json, "tool_choice", request.ToolChoice, static json => json.WriteStringValue("auto"));
        WriteEchoed(json, "tools", request.Tools, static json =>
        {
            json.WriteStartArray();
            json.WriteEndArray();
        });
        json.WriteNumber("top_logprobs", 0);
        json.WriteNumber("top_p", request.TopP ?? 1.0);
        json.WriteString("truncation", "disabled");
        if (outputTokens is { } output)
        {
            WriteUsage(json, output);
        }
        else
        {
            json.WriteNull("usage");
        }
        json.WriteNull("user");
        WriteEchoed(json, "metadata", request.Metadata, static json =>
        {
            json.WriteStartObject();
            json.WriteEndObject();
        });
        json.WriteEndObject();
    }

    /// <summary>The assistant message; no content part while <paramref name="text"/> is null (just added to a stream).</summary>
    public void WriteMessageItem(Utf8JsonWriter json, string status, string? text)
    {
        json.WriteStartObject();
        json.WriteString("type", "message");
        json.WriteString("id", ItemId);
        json.WriteString("status", status);
        json.WriteString("role", "assistant");
        json.WriteStartArray("content");
        if (text is not null)
        {
            WriteTextPart(json, text);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "output_text");
        json.WriteString("text", text);
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteStartArray("logprobs");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteUsage(Utf8JsonWriter json, int outputTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", inputTokens);
        json.WriteStartObject("input_tokens_details");
        json.WriteNumber("cached_tokens", cachedTokens);
        json.WriteEndObject();
        json.WriteNumber("output_tokens", outputTokens);
        json.WriteStartObject("output_tokens_details");
        json.WriteNumber("reasoning_tokens", 0);
        json.WriteEndObject();
        json.WriteNumber("total_tokens", inputTokens + outputTokens);
        json.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteEchoed(Utf8JsonWriter json, string name, JsonElement? sent, Action<Utf8JsonWriter> writeDefault)
    {
        json.WritePropertyName(name);
        if (sent is { } value)
        {
            value.WriteTo(json);
        }
        else
        {
            writeDefault(json);
        }
    }
}
