using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>
/// The messages of a request body in the conventions' <c>gen_ai.input.messages</c> shape, for each generating API:
/// chat completions' <c>messages</c>, completions' <c>prompt</c>, Messages' <c>messages</c>, Responses' <c>input</c>;
/// instructions given apart from the turns (Messages' <c>system</c>, Responses' <c>instructions</c>) as
/// <c>gen_ai.system_instructions</c>. Entries that are not objects, and Responses items that are neither messages nor
/// function calls and their outputs, are left out.
/// </summary>
public static class InputMessages
{
    /// <summary>The request's instructions and messages as JSON, or null for another operation or a body that is not whole JSON.</summary>
    public static InputContent? Read(string operation, string body)
    {
        if (operation is not ("chat" or "text_completion" or "messages" or "responses"))
        {
            return null;
        }
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
        using (var system = MessagesWriter.PartsOnly())
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
                    system.ContentParts(Elements.Property(root, "system"u8));
                    Anthropic(writer, root);
                    break;
                default:
                    if (Elements.String(root, "instructions"u8) is { } instructions)
                    {
                        system.TextPart(instructions);
                    }
                    Responses(writer, root);
                    break;
            }
            return new InputContent(system.ToJson(), writer.ToJson());
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
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var role = Elements.String(message, "role"u8) ?? "user";
            writer.StartMessage(role);
            if (role == "tool")
            {
                writer.ToolResponsePart(Elements.String(message, "tool_call_id"u8), Elements.Property(message, "content"u8));
            }
            else if (message.TryGetProperty("content"u8, out var content))
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
        if (!Elements.Array(root, "messages"u8, out var messages))
        {
            return;
        }
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            writer.StartMessage(Elements.String(message, "role"u8) ?? "user");
            writer.ContentParts(Elements.Property(message, "content"u8));
            writer.EndMessage();
        }
    }

    private static void Responses(MessagesWriter writer, JsonElement root)
    {
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
                case "message" or null:
                    writer.StartMessage(Elements.String(item, "role"u8) ?? "user");
                    writer.ContentParts(Elements.Property(item, "content"u8));
                    break;
                default:
                    continue; // reasoning, item references, …: not a turn
            }
            writer.EndMessage();
        }
    }
}

/// <summary>A request's system instructions (<c>gen_ai.system_instructions</c>) and messages (<c>gen_ai.input.messages</c>), as JSON; null when absent.</summary>
public readonly record struct InputContent(string? SystemInstructions, string? Messages);
