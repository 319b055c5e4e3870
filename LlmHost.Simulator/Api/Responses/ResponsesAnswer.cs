using System.Buffers;
using System.Text;
using System.Text.Json;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api.Responses;

/// <summary>
/// The Responses API's answer: the Response object, or named events numbered by <c>sequence_number</c> (created,
/// in progress, the output item and its text part, one delta per token, their ends, completed) with no
/// <c>[DONE]</c>. A finished response is stored unless the request said <c>store: false</c>.
/// </summary>
internal sealed class ResponsesAnswer(ResponsesApiRequest request, ResponseObjectWriter response, ResponseStore store) : IAnswerFormat
{
    private readonly StringBuilder _text = new();
    private int _sequence;

    public void WriteBody(Utf8JsonWriter json, ChoiceState[] choices, int completionTokens) =>
        json.WriteRawValue(Finish(choices[0].Text!.ToString(), choices[0].FinishReason, completionTokens), skipInputValidation: true);

    public void WriteStreamStart(SseWriter sse, ChoiceState[] choices)
    {
        foreach (var type in (ReadOnlySpan<string>)["response.created", "response.in_progress"])
        {
            var created = Begin(sse, type);
            created.WritePropertyName("response");
            response.WriteResponse(created, "in_progress", text: null, outputTokens: null);
            End(sse, created);
        }
        var added = Begin(sse, "response.output_item.added");
        added.WriteNumber("output_index", 0);
        added.WritePropertyName("item");
        response.WriteMessageItem(added, "in_progress", text: null);
        End(sse, added);
        var part = BeginContentEvent(sse, "response.content_part.added");
        part.WritePropertyName("part");
        ResponseObjectWriter.WriteTextPart(part, "");
        End(sse, part);
    }

    public void WriteToken(SseWriter sse, ChoiceState choice, string token, int completionTokens)
    {
        _text.Append(token);
        var delta = BeginContentEvent(sse, "response.output_text.delta");
        delta.WriteString("delta", token);
        delta.WriteStartArray("logprobs");
        delta.WriteEndArray();
        End(sse, delta);
    }

    public void WriteStreamEnd(SseWriter sse, ChoiceState[] choices, int completionTokens)
    {
        var text = _text.ToString();
        var final = Finish(text, choices[0].FinishReason, completionTokens);
        var textDone = BeginContentEvent(sse, "response.output_text.done");
        textDone.WriteString("text", text);
        textDone.WriteStartArray("logprobs");
        textDone.WriteEndArray();
        End(sse, textDone);
        var partDone = BeginContentEvent(sse, "response.content_part.done");
        partDone.WritePropertyName("part");
        ResponseObjectWriter.WriteTextPart(partDone, text);
        End(sse, partDone);
        var itemDone = Begin(sse, "response.output_item.done");
        itemDone.WriteNumber("output_index", 0);
        itemDone.WritePropertyName("item");
        response.WriteMessageItem(itemDone, "completed", text);
        End(sse, itemDone);
        // vLLM ends with response.completed even when max_output_tokens cut the answer (status "incomplete" inside).
        var completed = Begin(sse, "response.completed");
        completed.WritePropertyName("response");
        completed.WriteRawValue(final, skipInputValidation: true);
        End(sse, completed);
    }

    public void WriteStreamError(SseWriter sse, EngineError error)
    {
        var json = sse.Begin("error");
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteString("code", "server_error");
        json.WriteString("message", error.Message);
        json.WriteNull("param");
        json.WriteNumber("sequence_number", _sequence++);
        json.WriteEndObject();
        sse.End();
    }

    // The final Response object, stored for retrieval and follow-ups unless store is off.
    private byte[] Finish(string text, string finishReason, int outputTokens)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, SimulatorJson.WriterOptions))
        {
            response.WriteResponse(json, finishReason == "length" ? "incomplete" : "completed", text, outputTokens);
        }
        var bytes = buffer.WrittenSpan.ToArray();
        if (request.Store)
        {
            store.Save(response.Id, new StoredResponse(bytes, [.. request.Conversation, ChatContent.Message("assistant", text)]));
        }
        return bytes;
    }

    private Utf8JsonWriter Begin(SseWriter sse, string type)
    {
        var json = sse.Begin(type);
        json.WriteStartObject();
        json.WriteString("type", type);
        json.WriteNumber("sequence_number", _sequence++);
        return json;
    }

    // An event about the one text part: which item, output and content index it belongs to.
    private Utf8JsonWriter BeginContentEvent(SseWriter sse, string type)
    {
        var json = Begin(sse, type);
        json.WriteString("item_id", response.ItemId);
        json.WriteNumber("output_index", 0);
        json.WriteNumber("content_index", 0);
        return json;
    }

    private static void End(SseWriter sse, Utf8JsonWriter json)
    {
        json.WriteEndObject();
        sse.End();
    }
}
