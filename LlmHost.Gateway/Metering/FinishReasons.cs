namespace LlmHost.Gateway.Metering;

/// <summary>The <c>finish_reason</c>s an answer's choices ended with, as flags (no string kept per request).</summary>
[Flags]
public enum FinishReasons
{
    None = 0,
    Stop = 1,
    Length = 2,
    ToolCalls = 4,
    ContentFilter = 8,
    FunctionCall = 16,
    Other = 32,
}

public static class FinishReasonNames
{
    private static readonly (FinishReasons Flag, string Name)[] Known =
    [
        (FinishReasons.Stop, "stop"), (FinishReasons.Length, "length"), (FinishReasons.ToolCalls, "tool_calls"),
        (FinishReasons.ContentFilter, "content_filter"), (FinishReasons.FunctionCall, "function_call"), (FinishReasons.Other, "other"),
    ];

    /// <summary>The flag of a <c>finish_reason</c> value (the reader is on its string).</summary>
    public static FinishReasons Of(ref System.Text.Json.Utf8JsonReader reader) =>
        reader.ValueTextEquals("stop"u8) ? FinishReasons.Stop
        : reader.ValueTextEquals("length"u8) ? FinishReasons.Length
        : reader.ValueTextEquals("tool_calls"u8) ? FinishReasons.ToolCalls
        : reader.ValueTextEquals("content_filter"u8) ? FinishReasons.ContentFilter
        : reader.ValueTextEquals("function_call"u8) ? FinishReasons.FunctionCall
        : FinishReasons.Other;

    /// <summary>The flag of Anthropic's <c>stop_reason</c> (the reader is on its string): its turn's end or stop sequence is a stop.</summary>
    public static FinishReasons OfStopReason(ref System.Text.Json.Utf8JsonReader reader) =>
        reader.ValueTextEquals("end_turn"u8) || reader.ValueTextEquals("stop_sequence"u8) ? FinishReasons.Stop
        : reader.ValueTextEquals("max_tokens"u8) ? FinishReasons.Length
        : reader.ValueTextEquals("tool_use"u8) ? FinishReasons.ToolCalls
        : reader.ValueTextEquals("refusal"u8) ? FinishReasons.ContentFilter
        : FinishReasons.Other;

    /// <summary>The flag of a finished Responses API <c>status</c>: completed is a stop, incomplete (mostly <c>max_output_tokens</c>) a length; none for the others.</summary>
    public static FinishReasons OfStatus(ref System.Text.Json.Utf8JsonReader reader) =>
        reader.ValueTextEquals("completed"u8) ? FinishReasons.Stop
        : reader.ValueTextEquals("incomplete"u8) ? FinishReasons.Length
        : FinishReasons.None;

    private static readonly string[][] Single = [.. Known.Select(known => new[] { known.Name })];

    /// <summary>The names, for a span attribute (the array of a single reason made once).</summary>
    public static string[] Names(FinishReasonList reasons)
    {
        if (reasons.Count == 1)
        {
            return Single[System.Numerics.BitOperations.Log2((uint)reasons[0])];
        }
        var names = new string[reasons.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Known[System.Numerics.BitOperations.Log2((uint)reasons[i])].Name;
        }
        return names;
    }
}
