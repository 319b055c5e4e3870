using System.Text.Json;

namespace LlmHost.Gateway.Metering;

public enum SseEventKind
{
    Other,
    Chunk,
    UsageChunk,
    Error,
    Done,
}

/// <summary>
/// Reads one SSE event (<c>data: {json}</c>) of a completion stream: counts the tokens of its deltas, takes its
/// usage, and says whether it is the usage-only chunk (<c>"choices": []</c> with usage) or an error event.
/// </summary>
public static class SseEventInspector
{
    public static SseEventKind Inspect(ReadOnlySpan<byte> evt, CompletionMeasurement measurement)
    {
        var data = evt.IndexOf("data:"u8);
        if (data < 0)
        {
            return SseEventKind.Other;
        }
        var payload = evt[(data + 5)..].Trim((byte)' ').TrimEnd((byte)'\r');
        if (payload.SequenceEqual("[DONE]"u8))
        {
            return SseEventKind.Done;
        }

        var reader = new Utf8JsonReader(payload);
        int? prompt = null, completion = null, total = null;
        var choices = -1;
        var deltaTokens = 0;
        var error = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SseEventKind.Other;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    choices = reader.TokenType == JsonTokenType.StartArray ? CountChoices(ref reader, ref deltaTokens) : 0;
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    UsageReader.Read(ref reader, out prompt, out completion, out total);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    error = true;
                    reader.Read();
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return SseEventKind.Other;
        }

        if (error)
        {
            measurement.StreamError = true;
            return SseEventKind.Error;
        }
        measurement.CountCompletionTokens(deltaTokens);
        if (completion is not null || prompt is not null)
        {
            measurement.ReportUsage(prompt, completion, total);
            return choices == 0 ? SseEventKind.UsageChunk : SseEventKind.Chunk;
        }
        return SseEventKind.Chunk;
    }

    // Counts choices and, as an estimate of tokens when no usage arrives, the non-empty content deltas / texts.
    private static int CountChoices(ref Utf8JsonReader reader, ref int deltaTokens)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            count++;
            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                if (reader.TokenType == JsonTokenType.PropertyName
                    && (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8)))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                    {
                        deltaTokens++;
                    }
                }
            }
        }
        return count;
    }
}
