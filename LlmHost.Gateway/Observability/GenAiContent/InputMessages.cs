using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>
/// The messages of a request body in the conventions' <c>gen_ai.input.messages</c> shape, for each generating API:
/// chat completions' <c>messages</c>, completions' <c>prompt</c>, Messages' <c>system</c> + <c>messages</c>, Responses'
/// <c>instructions</c> + <c>input</c> (system instructions as a leading <c>system</c> message).
/// </summary>
public static class InputMessages
{
    /// <summary>The messages as JSON, or null for another operation or a body that is not whole JSON.</summary>
    public static string? Read(string operation, string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        using (var writer = new MessagesWriter())
        {
            var root = document.RootElement;
            switch (operation)
            {
                case "chat":
                    Chat(writer, root);
                    break;
                case "text_completion":
                    Prompt(writer, root);
                    break;
                case "messages":
                    Anthropic(writer, root);
                    break;
                case "responses":
                    Responses(writer, root);
                    break;
                default:
                    return null;
            }
            return writer.ToJson();
        }
    }

    private static void Chat(MessagesWriter writer, JsonElement root)
    {
        if (!Elements.Array(root, "messages"u8, out var messages))
        {
            return;
        }
        foreach (var message in messages.EnumerateArray())
        {
            var role = Elements.String(message, "role"u8) ?? "user";
            writer.StartMessage(role);
            if (role == "tool")
            {
                writer.ToolResponsePart(Elements.String(message, "tool_call_id"u8), Elements.Property(message, "content"u8));
            }
            else if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content"u8, out var content))
            {
                writer.ContentParts(content);
            }
            if (Elements.Array(message, "tool_calls"u8, out var calls))
            {
                ChatToolCalls(writer, calls);
            }
            writer.EndMessage();
        }
    }

    internal static void ChatToolCalls(MessagesWriter writer, JsonElement calls)
    {
        foreach (var call in calls.EnumerateArray())
        {
            if (Elements.Object(call, "function"u8, out var function))
            {
                writer.ToolCallPart(Elements.String(call, "id"u8), Elements.String(function, "name"u8), Elements.Property(function, "arguments"u8));
            }
        }
    }

    private static void Prompt(MessagesWriter writer, JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("prompt"u8, out var prompt))
        {
            writer.StartMessage("user");
            writer.ContentParts(prompt);
            writer.EndMessage();
        }
    }

    private static void Anthropic(MessagesWriter writer, JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("system"u8, out var system))
        {
            writer.StartMessage("system");
            writer.ContentParts(system);
            writer.EndMessage();
        }
        if (!Elements.Array(root, "messages"u8, out var messages))
        {
            return;
        }
        foreach (var message in messages.EnumerateArray())
        {
            writer.StartMessage(Elements.String(message, "role"u8) ?? "user");
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("content"u8, out var content))
            {
                writer.ContentParts(content);
            }
            writer.EndMessage();
        }
    }

    private static void Responses(MessagesWriter writer, JsonElement root)
    {
        if (Elements.String(root, "instructions"u8) is { } instructions)
        {
            writer.StartMessage("system");
            writer.TextPart(instructions);
            writer.EndMessage();
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("input"u8, out var input))
        {
            return;
        }
        if (input.ValueKind == JsonValueKind.String)
        {
            writer.StartMessage("user");
            writer.TextPart(input.GetString()!);
            writer.EndMessage();
            return;
        }
        if (input.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            switch (Elements.String(item, "type"u8))
            {
                case "function_call":
                    writer.StartMessage("assistant");
                    writer.Part(item);
                    break;
                case "function_call_output":
                    writer.StartMessage("tool");
                    writer.Part(item);
                    break;
                default:
                    writer.StartMessage(Elements.String(item, "role"u8) ?? "user");
                    if (item.TryGetProperty("content"u8, out var content))
                    {
                        writer.ContentParts(content);
                    }
                    break;
            }
            writer.EndMessage();
        }
    }
}
