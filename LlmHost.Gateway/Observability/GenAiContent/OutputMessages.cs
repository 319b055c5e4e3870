using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>
/// The answer of a generating API in the conventions' <c>gen_ai.output.messages</c> shape: from its JSON body, or
/// assembled from its event stream (text deltas, tool calls, finish reasons) as far as the stream was kept.
/// </summary>
public static class OutputMessages
{
    /// <summary>
    /// The answer's messages as JSON, or null for another operation or a body with none; a JSON answer
    /// <paramref name="truncated"/> by the capture gives none (a stream gives its whole events).
    /// </summary>
    public static string? Read(string operation, string body, bool truncated = false)
    {
        if (operation is not ("chat" or "text_completion" or "messages" or "responses"))
        {
            return null;
        }
        var streamed = body.AsSpan().TrimStart().StartsWith("data:") || body.AsSpan().TrimStart().StartsWith("event:");
        if (truncated && !streamed)
        {
            return null;
        }
        using var writer = new MessagesWriter();
        if (streamed)
        {
            var answer = new StreamedAnswer();
            foreach (var line in body.AsSpan().EnumerateLines())
            {
                if (line.StartsWith("data:") && !line[5..].Trim().SequenceEqual("[DONE]") && Parse(line[5..].ToString()) is { } document)
                {
                    using (document)
                    {
                        if (!answer.Add(operation, document.RootElement))
                        {
                            return null;
                        }
                    }
                }
            }
            answer.WriteTo(writer);
        }
        else if (Parse(body) is { } document)
        {
            using (document)
            {
                if (!Whole(operation, writer, document.RootElement))
                {
                    return null;
                }
            }
        }
        return writer.ToJson();
    }

    private static JsonDocument? Parse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Whole(string operation, MessagesWriter writer, JsonElement root)
    {
        switch (operation)
        {
            case "chat":
            case "text_completion":
                if (Elements.Array(root, "choices"u8, out var choices))
                {
                    foreach (var choice in choices.EnumerateArray())
                    {
                        Choice(writer, choice);
                    }
                }
                return true;
            case "messages":
                writer.StartMessage(Elements.String(root, "role"u8) ?? "assistant");
                writer.ContentParts(Elements.Property(root, "content"u8));
                writer.EndMessage(Elements.String(root, "stop_reason"u8));
                return true;
            case "responses":
                Response(writer, root);
                return true;
            default:
                return false;
        }
    }

    private static void Choice(MessagesWriter writer, JsonElement choice)
    {
        var message = Elements.Property(choice, "message"u8);
        writer.StartMessage(Elements.String(message, "role"u8) ?? "assistant");
        if (Elements.String(choice, "text"u8) is { } text)
        {
            writer.TextPart(text);
        }
        writer.ContentParts(Elements.Property(message, "content"u8));
        if (Elements.Array(message, "tool_calls"u8, out var calls))
        {
            InputMessages.ChatToolCalls(writer, calls);
        }
        writer.EndMessage(Elements.String(choice, "finish_reason"u8));
    }

    private static void Response(MessagesWriter writer, JsonElement response)
    {
        if (!Elements.Array(response, "output"u8, out var output))
        {
            return;
        }
        writer.StartMessage("assistant");
        foreach (var item in output.EnumerateArray())
        {
            if (Elements.String(item, "type"u8) == "message")
            {
                writer.ContentParts(Elements.Property(item, "content"u8));
            }
            else if (Elements.String(item, "type"u8) == "function_call")
            {
                writer.Part(item);
            }
        }
        writer.EndMessage(ResponseFinish(response));
    }

    /// <summary>A Responses answer's finish: its incomplete reason, else its status (<c>completed</c>, <c>failed</c>, …).</summary>
    internal static string? ResponseFinish(JsonElement response) =>
        Elements.String(Elements.Property(response, "incomplete_details"u8), "reason"u8) ?? Elements.String(response, "status"u8);
}
