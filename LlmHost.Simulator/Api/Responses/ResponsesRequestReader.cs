using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api.Responses;

/// <summary>
/// Reads a <c>POST /v1/responses</c> body into a chat request as vLLM does: <c>instructions</c> become a system message,
/// then the stored conversation of <c>previous_response_id</c>, then the <c>input</c> items; <c>max_output_tokens</c> is
/// the limit (a <c>max_tokens</c> in the body is not a Responses field and is ignored).
/// </summary>
internal static class ResponsesRequestReader
{
    public static (ApiRequest? Request, EngineError? Error) Read(JsonElement body, ResponseStore store)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, RequestPlan.Validation("body: Input should be a valid dictionary or object"));
        }
        var fields = new BodyFields(body);
        var model = fields.String("model");
        var instructions = fields.String("instructions");
        var maxOutputTokens = fields.Int("max_output_tokens");
        var stream = fields.Bool("stream");
        var keep = fields.Bool("store") ?? true;
        var parallelToolCalls = fields.Bool("parallel_tool_calls") ?? true;
        var previousId = fields.String("previous_response_id");
        var temperature = fields.Number("temperature");
        var topP = fields.Number("top_p");
        if (fields.Error is { } mistyped)
        {
            return (null, mistyped);
        }
        if (fields.Raw("input") is not { } input)
        {
            return (null, fields.Missing("input"));
        }
        var (items, invalid) = ReadInput(input);
        if (invalid is not null)
        {
            return (null, invalid);
        }
        var conversation = new List<ChatMessage>();
        if (previousId is not null)
        {
            if (!store.TryGet(previousId, out var previous))
            {
                return (null, ResponseStore.NotFound(previousId));
            }
            conversation.AddRange(previous.Conversation);
        }
        conversation.AddRange(items!);
        List<ChatMessage> messages = string.IsNullOrEmpty(instructions) ? [.. conversation] : [ChatContent.Message("system", instructions), .. conversation];
        var request = new CompletionRequest { Model = model, Messages = messages, MaxTokens = maxOutputTokens, Stream = stream, Temperature = temperature };
        return (new ResponsesApiRequest(request, store)
        {
            Instructions = instructions,
            PreviousResponseId = previousId,
            Store = keep,
            ParallelToolCalls = parallelToolCalls,
            TopP = topP,
            Text = fields.Raw("text")?.Clone(),
            ToolChoice = fields.Raw("tool_choice")?.Clone(),
            Tools = fields.Raw("tools")?.Clone(),
            Metadata = fields.Raw("metadata")?.Clone(),
            Conversation = conversation,
        }, null);
    }

    // A string is one user message; a list holds messages (with or without "type":"message"), function calls and
    // their outputs. Other items (reasoning, references) add nothing to the prompt here.
    private static (List<ChatMessage>? Messages, EngineError? Error) ReadInput(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return ([ChatContent.Message("user", input.GetString()!)], null);
        }
        if (input.ValueKind != JsonValueKind.Array)
        {
            return (null, RequestPlan.Validation("input: Input should be a valid string or list"));
        }
        var messages = new List<ChatMessage>();
        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return (null, RequestPlan.Validation($"input.{index}: Input should be a valid dictionary or object"));
            }
            var fields = new BodyFields(item, $"input.{index}.");
            var message = ReadItem(fields);
            if (fields.Error is { } invalid)
            {
                return (null, invalid);
            }
            if (message is not null)
            {
                messages.Add(message);
            }
            index++;
        }
        return (messages, null);
    }

    private static ChatMessage? ReadItem(BodyFields fields)
    {
        switch (fields.String("type"))
        {
            case null or "message":
                var role = fields.String("role");
                if (role is null)
                {
                    fields.Missing("role");
                    return null;
                }
                if (fields.Raw("content") is not { } content || ChatContent.Texts(content) is not { } texts)
                {
                    fields.Invalid("content", "a valid string or list");
                    return null;
                }
                return content.ValueKind == JsonValueKind.String ? ChatContent.Message(role, texts[0]) : ChatContent.Message(role, texts);
            case "function_call":
                // The call as the chat template would render it: its name and its arguments.
                return ChatContent.Message("assistant", $"{fields.String("name")} {fields.String("arguments")}");
            case "function_call_output":
                return ChatContent.Message("tool", fields.Raw("output") is { } output && ChatContent.Texts(output) is { } outputs ? outputs : []);
            default:
                return null;
        }
    }
}
