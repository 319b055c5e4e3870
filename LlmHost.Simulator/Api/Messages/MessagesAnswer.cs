using System.Text.Json;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api.Messages;

/// <summary>
/// Anthropic's answer: a message with one text block, or the named events of its stream (message_start,
/// content_block_start, ping, one content_block_delta per token, content_block_stop, message_delta, message_stop)
/// with no <c>[DONE]</c>. Usage in Anthropic's meaning: <c>input_tokens</c> leaves out the tokens read from the cache.
/// </summary>
internal sealed class MessagesAnswer(RequestPlan plan, int cachedTokens) : IAnswerFormat
{
    private readonly string _id = "msg_" + Guid.NewGuid().ToString("N");

    public void WriteBody(Utf8JsonWriter json, ChoiceState[] choices, int completionTokens)
    {
        json.WriteStartObject();
        WriteHead(json);
        json.WriteStartArray("content");
        json.WriteStartObject();
        json.WriteString("type", "text");
        json.WriteString("text", choices[0].Text!.ToString());
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("stop_reason", StopReason(choices[0].FinishReason));
        json.WriteNull("stop_sequence");
        WriteUsage(json, completionTokens);
        json.WriteEndObject();
    }

    public void WriteStreamStart(SseWriter sse, ChoiceState[] choices)
    {
        var start = Begin(sse, "message_start");
        start.WriteStartObject("message");
        WriteHead(start);
        start.WriteStartArray("content");
        start.WriteEndArray();
        start.WriteNull("stop_reason");
        start.WriteNull("stop_sequence");
        // Anthropic counts the first output token already here.
        WriteUsage(start, outputTokens: 1);
        start.WriteEndObject();
        End(sse, start);
        var block = Begin(sse, "content_block_start");
        block.WriteNumber("index", 0);
        block.WriteStartObject("content_block");
        block.WriteString("type", "text");
        block.WriteString("text", "");
        block.WriteEndObject();
        End(sse, block);
        End(sse, Begin(sse, "ping"));
    }

    public void WriteToken(SseWriter sse, ChoiceState choice, string token, int completionTokens)
    {
        var delta = Begin(sse, "content_block_delta");
        delta.WriteNumber("index", 0);
        delta.WriteStartObject("delta");
        delta.WriteString("type", "text_delta");
        delta.WriteString("text", token);
        delta.WriteEndObject();
        End(sse, delta);
    }

    public void WriteStreamEnd(SseWriter sse, ChoiceState[] choices, int completionTokens)
    {
        var stop = Begin(sse, "content_block_stop");
        stop.WriteNumber("index", 0);
        End(sse, stop);
        var delta = Begin(sse, "message_delta");
        delta.WriteStartObject("delta");
        delta.WriteString("stop_reason", StopReason(choices[0].FinishReason));
        delta.WriteNull("stop_sequence");
        delta.WriteEndObject();
        delta.WriteStartObject("usage");
        delta.WriteNumber("output_tokens", completionTokens);
        delta.WriteEndObject();
        End(sse, delta);
        End(sse, Begin(sse, "message_stop"));
    }

    public void WriteStreamError(SseWriter sse, EngineError error)
    {
        var json = sse.Begin("error");
        AnthropicErrors.WriteBody(json, error);
        sse.End();
    }

    private static string StopReason(string finishReason) => finishReason == "length" ? "max_tokens" : "end_turn";

    private void WriteHead(Utf8JsonWriter json)
    {
        json.WriteString("id", _id);
        json.WriteString("type", "message");
        json.WriteString("role", "assistant");
        json.WriteString("model", plan.Model.ResponseModel);
    }

    private void WriteUsage(Utf8JsonWriter json, int outputTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", plan.PromptTokens - cachedTokens);
        json.WriteNumber("cache_creation_input_tokens", 0);
        json.WriteNumber("cache_read_input_tokens", cachedTokens);
        json.WriteNumber("output_tokens", outputTokens);
        json.WriteEndObject();
    }

    private static Utf8JsonWriter Begin(SseWriter sse, string type)
    {
        var json = sse.Begin(type);
        json.WriteStartObject();
        json.WriteString("type", type);
        return json;
    }

    private static void End(SseWriter sse, Utf8JsonWriter json)
    {
        json.WriteEndObject();
        sse.End();
    }
}
