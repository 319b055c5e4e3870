using System.Text;
using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>
/// An answer assembled from its stream's events, one message per choice: chat and completions chunks (text and tool
/// call deltas by index), Messages' content block events, Responses' text deltas and finished function calls.
/// </summary>
internal sealed class StreamedAnswer
{
    private readonly List<Choice> _choices = [];

    /// <summary>Takes one event's data; false for an operation that does not stream generated messages.</summary>
    public bool Add(string operation, JsonElement data)
    {
        switch (operation)
        {
            case "chat":
            case "text_completion":
                if (Elements.Array(data, "choices"u8, out var choices))
                {
                    foreach (var choice in choices.EnumerateArray())
                    {
                        AddChoice(choice);
                    }
                }
                return true;
            case "messages":
                AddAnthropic(data);
                return true;
            case "responses":
                AddResponses(data);
                return true;
            default:
                return false;
        }
    }

    public void WriteTo(MessagesWriter writer)
    {
        foreach (var choice in _choices)
        {
            writer.StartMessage("assistant");
            if (choice.Text.Length > 0)
            {
                writer.TextPart(choice.Text.ToString());
            }
            foreach (var call in choice.Calls)
            {
                writer.ToolCallPart(call.Id, call.Name, call.Arguments.ToString());
            }
            writer.EndMessage(choice.Finish);
        }
    }

    private void AddChoice(JsonElement choice)
    {
        var index = IndexOf(choice);
        var target = At(index);
        target.Text.Append(Elements.String(choice, "text"u8));
        var delta = Elements.Property(choice, "delta"u8);
        target.Text.Append(Elements.String(delta, "content"u8));
        if (Elements.Array(delta, "tool_calls"u8, out var calls))
        {
            foreach (var call in calls.EnumerateArray())
            {
                var callIndex = IndexOf(call);
                var function = Elements.Property(call, "function"u8);
                var tool = target.Call(callIndex);
                tool.Id ??= Elements.String(call, "id"u8);
                tool.Name ??= Elements.String(function, "name"u8);
                tool.Arguments.Append(Elements.String(function, "arguments"u8));
            }
        }
        target.Finish = Elements.String(choice, "finish_reason"u8) ?? target.Finish;
    }

    private void AddAnthropic(JsonElement data)
    {
        var answer = At(0);
        var blockIndex = IndexOf(data);
        switch (Elements.String(data, "type"u8))
        {
            case "content_block_start" when Elements.Object(data, "content_block"u8, out var block) && Elements.String(block, "type"u8) == "tool_use":
                var tool = answer.Call(blockIndex);
                (tool.Id, tool.Name) = (Elements.String(block, "id"u8), Elements.String(block, "name"u8));
                break;
            case "content_block_delta":
                var delta = Elements.Property(data, "delta"u8);
                if (Elements.String(delta, "partial_json"u8) is { } json)
                {
                    answer.Call(blockIndex).Arguments.Append(json);
                }
                answer.Text.Append(Elements.String(delta, "text"u8));
                break;
            case "message_delta":
                answer.Finish = Elements.String(Elements.Property(data, "delta"u8), "stop_reason"u8) ?? answer.Finish;
                break;
        }
    }

    private void AddResponses(JsonElement data)
    {
        var answer = At(0);
        switch (Elements.String(data, "type"u8))
        {
            case "response.output_text.delta":
                answer.Text.Append(Elements.String(data, "delta"u8));
                break;
            case "response.output_item.done" when Elements.Object(data, "item"u8, out var item) && Elements.String(item, "type"u8) == "function_call":
                var tool = answer.Call(answer.Calls.Count);
                (tool.Id, tool.Name) = (Elements.String(item, "call_id"u8), Elements.String(item, "name"u8));
                tool.Arguments.Append(Elements.String(item, "arguments"u8));
                break;
            case "response.completed" or "response.incomplete" or "response.failed":
                answer.Finish = OutputMessages.ResponseFinish(Elements.Property(data, "response"u8));
                break;
        }
    }

    private Choice At(int index) => FindOrAdd(_choices, index, static i => new Choice(i));

    // A stream names its choices, tool calls and content blocks by an "index"; 0 when it does not.
    private static int IndexOf(JsonElement element) =>
        Elements.Property(element, "index"u8) is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var index) ? index : 0;

    private static T FindOrAdd<T>(List<T> items, int index, Func<int, T> create) where T : Indexed
    {
        foreach (var item in items)
        {
            if (item.Index == index)
            {
                return item;
            }
        }
        var added = create(index);
        items.Add(added);
        return added;
    }

    private abstract class Indexed(int index)
    {
        public int Index { get; } = index;
    }

    private sealed class Choice(int index) : Indexed(index)
    {
        public StringBuilder Text { get; } = new();
        public string? Finish { get; set; }
        public List<ToolCall> Calls { get; } = [];

        public ToolCall Call(int index) => FindOrAdd(Calls, index, static i => new ToolCall(i));
    }

    private sealed class ToolCall(int index) : Indexed(index)
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public StringBuilder Arguments { get; } = new();
    }
}
