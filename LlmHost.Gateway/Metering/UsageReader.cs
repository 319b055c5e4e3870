using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// Reads a <c>usage</c> object at the reader's position (or null) in any of the three dialects: OpenAI's chat and
/// completions (<c>prompt_tokens</c>, <c>completion_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>), the
/// Responses API's (<c>input_tokens</c>, <c>output_tokens</c>, <c>input_tokens_details.cached_tokens</c>) and
/// Anthropic's, whose <c>input_tokens</c> leave out the tokens read from or written to the cache
/// (<c>cache_read_input_tokens</c>, <c>cache_creation_input_tokens</c>): the measurement adds those back, so that its
/// prompt is always the whole prompt and the cached tokens a part of it.
/// </summary>
internal static class UsageReader
{
    /// <summary>Which count a usage property holds.</summary>
    public enum Slot
    {
        None,
        Prompt,
        Completion,
        Total,

        /// <summary>An object whose <c>cached_tokens</c> are the prompt's cached part.</summary>
        Details,
        CacheRead,
        CacheCreation,
    }

    /// <summary>The slot of the property name at the reader.</summary>
    public static Slot SlotOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8) ? Slot.Prompt
        : reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8) ? Slot.Completion
        : reader.ValueTextEquals("total_tokens"u8) ? Slot.Total
        : reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8) ? Slot.Details
        : reader.ValueTextEquals("cache_read_input_tokens"u8) ? Slot.CacheRead
        : reader.ValueTextEquals("cache_creation_input_tokens"u8) ? Slot.CacheCreation
        : Slot.None;

    /// <summary>The counts of one usage object, as read.</summary>
    public struct Counts
    {
        public int? Prompt, Completion, Total, Cached, CacheRead, CacheCreation;

        public void Set(Slot slot, int value)
        {
            switch (slot)
            {
                case Slot.Prompt: Prompt = value; break;
                case Slot.Completion: Completion = value; break;
                case Slot.Total: Total = value; break;
                case Slot.CacheRead: CacheRead = value; break;
                case Slot.CacheCreation: CacheCreation = value; break;
            }
        }

        public readonly bool Found => Prompt is not null || Completion is not null || CacheRead is not null || CacheCreation is not null;

        /// <summary>Anthropic's <c>message_start</c>: its output count is a placeholder (0 or 1), not a count of anything yet.</summary>
        public void KeepInputOnly() => (Completion, Total) = (null, null);

        public readonly void ReportTo(CompletionMeasurement measurement) => measurement.ReportUsage(Prompt, Completion, Total, Cached, CacheRead, CacheCreation);
    }

    public static Counts Read(ref Utf8JsonReader reader)
    {
        var counts = new Counts();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return counts;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var slot = SlotOf(ref reader);
            reader.Read();
            if (slot == Slot.Details)
            {
                counts.Cached = CachedTokens(ref reader);
            }
            else if (slot != Slot.None && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                counts.Set(slot, value);
            }
            else
            {
                reader.Skip();
            }
        }
        return counts;
    }

    private static int? CachedTokens(ref Utf8JsonReader reader)
    {
        int? cached = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCached = reader.ValueTextEquals("cached_tokens"u8);
            reader.Read();
            if (isCached && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                cached = value;
            }
            else
            {
                reader.Skip();
            }
        }
        return cached;
    }
}
