using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>Reads an OpenAI <c>usage</c> object at the reader's position (or null), with <c>prompt_tokens_details.cached_tokens</c>.</summary>
internal static class UsageReader
{
    public static void Read(ref Utf8JsonReader reader, out int? prompt, out int? completion, out int? total, out int? cached)
    {
        prompt = completion = total = cached = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                cached = CachedTokens(ref reader);
                continue;
            }
            ref var target = ref Target(ref reader, ref prompt, ref completion, ref total, out var known);
            reader.Read();
            if (known && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value))
            {
                target = value;
            }
            else
            {
                reader.Skip();
            }
        }
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

    private static ref int? Target(ref Utf8JsonReader reader, ref int? prompt, ref int? completion, ref int? total, out bool known)
    {
        known = true;
        if (reader.ValueTextEquals("prompt_tokens"u8))
        {
            return ref prompt;
        }
        if (reader.ValueTextEquals("completion_tokens"u8))
        {
            return ref completion;
        }
        if (reader.ValueTextEquals("total_tokens"u8))
        {
            return ref total;
        }
        known = false;
        return ref total;
    }
}
