using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api.Messages;

/// <summary>
/// Reads a <c>POST /v1/messages</c> (or <c>count_tokens</c>) body into a chat request as vLLM does: <c>system</c>
/// becomes a system message, each message keeps its role, and content blocks count by their text: text blocks,
/// tool calls (name and input), tool results; images count nothing.
/// </summary>
internal static class MessagesRequestReader
{
    public static (ApiRequest? Request, EngineError? Error) Read(JsonElement body, bool requireMaxTokens)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, RequestPlan.Validation("body: Input should be a valid dictionary or object"));
        }
        var fields = new BodyFields(body);
        var model = fields.String("model");
        var maxTokens = fields.Int("max_tokens");
        var stream = fields.Bool("stream");
        var temperature = fields.Number("temperature");
        if (fields.Error is { } mistyped)
        {
            return (null, mistyped);
        }
        if (model is null)
        {
            return (null, fields.Missing("model"));
        }
        if (requireMaxTokens && maxTokens is null)
        {
            return (null, fields.Missing("max_tokens"));
        }
        if (fields.Raw("messages") is not { } list)
        {
            return (null, fields.Missing("messages"));
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            return (null, fields.Invalid("messages", "a valid list"));
        }
        var messages = new List<ChatMessage>();
        if (fields.Raw("system") is { } system)
        {
            if (ChatContent.Texts(system) is not { } texts)
            {
                return (null, fields.Invalid("system", "a valid string or list"));
            }
            if (texts.Any(text => text.Length > 0))
            {
                messages.Add(system.ValueKind == JsonValueKind.String ? ChatContent.Message("system", texts[0]) : ChatContent.Message("system", texts));
            }
        }
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (ReadMessage(item, index++, out var error) is { } message)
            {
                messages.Add(message);
            }
            else
            {
                return (null, error);
            }
        }
        var request = new CompletionRequest { Model = model, Messages = messages, MaxTokens = maxTokens, Stream = stream, Temperature = temperature };
        return (new MessagesApiRequest(request), null);
    }

    private static ChatMessage? ReadMessage(JsonElement item, int index, out EngineError? error)
    {
        error = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = RequestPlan.Validation($"messages.{index}: Input should be a valid dictionary or object");
            return null;
        }
        var fields = new BodyFields(item, $"messages.{index}.");
        var role = fields.String("role");
        var content = fields.Raw("content");
        if (role is not ("user" or "assistant"))
        {
            error = fields.Error ?? (role is null ? fields.Missing("role") : fields.Invalid("role", "'user' or 'assistant'"));
            return null;
        }
        if (content is { ValueKind: JsonValueKind.String } text)
        {
            return ChatContent.Message(role, text.GetString()!);
        }
        if (content is not { ValueKind: JsonValueKind.Array } blocks)
        {
            error = content is null ? fields.Missing("content") : fields.Invalid("content", "a valid string or list");
            return null;
        }
        return ChatContent.Message(role, BlockTexts(blocks));
    }

    private static List<string> BlockTexts(JsonElement blocks)
    {
        var texts = new List<string>();
        foreach (var block in blocks.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var fields = new BodyFields(block);
            switch (fields.String("type"))
            {
                case "text":
                    texts.Add(fields.String("text") ?? "");
                    break;
                case "tool_use":
                    texts.Add($"{fields.String("name")} {fields.Raw("input")?.GetRawText()}");
                    break;
                case "tool_result" when fields.Raw("content") is { } result:
                    texts.AddRange(ChatContent.Texts(result) ?? []);
                    break;
            }
        }
        return texts;
    }
}
