using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// Reads one SSE event (its <c>data:</c> lines, joined) of a completion stream: counts the tokens of its deltas,
/// takes its usage, and says whether it is the usage-only chunk (<c>"choices": []</c> with usage) or an error event.
/// Three dialects: chat and completions chunks (<c>choices</c>, <c>usage</c>); the Responses API's events
/// (<c>type</c>, a string <c>delta</c>, the <c>response</c> with its id, status and usage); Anthropic's
/// (<c>message_start</c>'s <c>message</c>, <c>content_block_delta</c>'s <c>delta</c>, <c>message_delta</c>'s stop
/// reason and usage, <c>error</c>).
/// </summary>
public static class SseEventInspector
{
    /// <summary>Reads one event (its text without the blank line that ends it) into the measurement; says what it was.</summary>
    /// <param name="evt">The event's lines.</param>
    /// <param name="measurement">The request's measurement, which the event's tokens, usage and finish reasons go to.</param>
    /// <param name="shape">The stream's plain token chunk as learnt so far (chat and completions streams), or null.</param>
    public static SseEventKind Inspect(ReadOnlySpan<byte> evt, CompletionMeasurement measurement, PlainChunkShape? shape = null)
    {
        byte[]? joined = null;
        try
        {
            var payload = Data(evt, ref joined);
            return payload.IsEmpty ? SseEventKind.Other : InspectData(payload.Trim((byte)' '), measurement, shape);
        }
        finally
        {
            if (joined is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(joined);
            }
        }
    }

    // The event's data: the value of its one data line (no copy), or of several, joined by LF (pooled copy).
    private static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> evt, ref byte[]? joined)
    {
        ReadOnlySpan<byte> first = default;
        var lines = 0;
        var length = 0;
        for (var rest = evt; !rest.IsEmpty;)
        {
            var line = NextLine(ref rest);
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }
            var value = line[5..];
            if (++lines == 1)
            {
                first = value;
            }
            else
            {
                joined ??= System.Buffers.ArrayPool<byte>.Shared.Rent(evt.Length);
                if (lines == 2)
                {
                    first.CopyTo(joined);
                    length = first.Length;
                }
                joined[length++] = (byte)'\n';
                value.CopyTo(joined.AsSpan(length));
                length += value.Length;
            }
        }
        return lines <= 1 ? first : joined.AsSpan(0, length);
    }

    // The first line of text, its line break (CR LF, LF or CR) dropped; text moves past it.
    private static ReadOnlySpan<byte> NextLine(scoped ref ReadOnlySpan<byte> text)
    {
        var end = text.IndexOfAny((byte)'\r', (byte)'\n');
        if (end < 0)
        {
            var whole = text;
            text = default;
            return whole;
        }
        var line = text[..end];
        text = text[(end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1))..];
        return line;
    }

    private static SseEventKind InspectData(ReadOnlySpan<byte> payload, CompletionMeasurement measurement, PlainChunkShape? shape)
    {
        if (payload.SequenceEqual("[DONE]"u8))
        {
            return SseEventKind.Done;
        }
        // Read whole until the response's model is noted (traced requests): it comes from the first chunk read.
        shape = measurement.Operation is "chat" or "text_completion" && !(measurement.Traced && measurement.ResponseModel is null) ? shape : null;
        if (shape?.Matches(payload) == true)
        {
            measurement.CountCompletionTokens(1);
            return SseEventKind.Chunk;
        }
        var chunk = new Chunk { Choices = -1 };
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SseEventKind.Other;
            }
            ReadChunk(ref reader, ref chunk, measurement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not text (a lone surrogate escape): an event like any other.
            return SseEventKind.Other;
        }

        if (chunk.Error)
        {
            measurement.StreamError = true;
            return SseEventKind.Error;
        }
        measurement.CountCompletionTokens(chunk.DeltaTokens);
        measurement.FinishReasons = measurement.FinishReasons.AddRange(chunk.FinishReasons);
        if (chunk.Usage.Found)
        {
            chunk.Usage.ReportTo(measurement);
            return chunk.Choices == 0 ? SseEventKind.UsageChunk : SseEventKind.Chunk;
        }
        if (shape is not null && chunk is { Choices: 1, DeltaTokens: 1, FinishReasons.Count: 0 })
        {
            shape.Learn(payload, measurement.Operation);
        }
        return SseEventKind.Chunk;
    }

    private static void ReadChunk(ref Utf8JsonReader reader, ref Chunk chunk, CompletionMeasurement measurement)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                chunk.Choices = reader.TokenType == JsonTokenType.StartArray ? CountChoices(ref reader, ref chunk) : 0;
            }
            else if (measurement.Traced && measurement.ResponseModel is null && reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                measurement.ResponseModel = reader.TokenType == JsonTokenType.String ? ResponseModel.Of(ref reader, measurement.Model) : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                chunk.Usage = UsageReader.Read(ref reader);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                ReadDelta(ref reader, ref chunk);
            }
            else if (reader.ValueTextEquals("response"u8) || reader.ValueTextEquals("message"u8))
            {
                var anthropicStart = reader.ValueTextEquals("message"u8);
                reader.Read();
                ReadEnvelope(ref reader, ref chunk, measurement);
                if (anthropicStart)
                {
                    chunk.Usage.KeepInputOnly();
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                chunk.Error |= reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("response.failed"u8));
            }
            else
            {
                chunk.Error |= reader.ValueTextEquals("error"u8);
                reader.Read();
                reader.Skip();
            }
        }
    }

    // A Responses API delta (a string: text, reasoning or tool-call arguments) or an Anthropic one (an object: a text,
    // thinking or tool-input delta; or the message's stop reason).
    private static void ReadDelta(ref Utf8JsonReader reader, ref Chunk chunk)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            chunk.DeltaTokens += reader.ValueSpan.Length > 0 ? 1 : 0;
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var generated = reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("partial_json"u8);
            var stopReason = reader.ValueTextEquals("stop_reason"u8);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
            }
            else if (generated && reader.ValueSpan.Length > 0)
            {
                chunk.DeltaTokens++;
            }
            else if (stopReason)
            {
                chunk.FinishReasons = chunk.FinishReasons.Add(FinishReasonNames.OfStopReason(ref reader));
            }
        }
    }

    // The response a Responses API event carries (created, completed, …) or the message of Anthropic's message_start:
    // its id, model, status and usage.
    private static void ReadEnvelope(ref Utf8JsonReader reader, ref Chunk chunk, CompletionMeasurement measurement)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                chunk.Usage = UsageReader.Read(ref reader);
                continue;
            }
            var property = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("model"u8) ? 2 : reader.ValueTextEquals("status"u8) ? 3 : 0;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }
            switch (property)
            {
                case 1 when measurement.KeepsResponseId && measurement.ResponseId is null:
                    measurement.ResponseId = ClientApis.ResponseIds.Read(ref reader);
                    break;
                case 2 when measurement.Traced && measurement.ResponseModel is null:
                    measurement.ResponseModel = ResponseModel.Of(ref reader, measurement.Model);
                    break;
                case 3:
                    chunk.FinishReasons = chunk.FinishReasons.Add(FinishReasonNames.OfStatus(ref reader));
                    break;
            }
        }
    }

    // Counts choices and, as an estimate of tokens when no usage arrives, the non-empty generated strings: content or
    // text, and the reasoning, tool-call arguments and refusals a model generates as well (one token each at least);
    // notes the finish reasons.
    private static int CountChoices(ref Utf8JsonReader reader, ref Chunk chunk)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            count++;
            var depth = reader.CurrentDepth;
            while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }
                if (IsGenerated(ref reader))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                    {
                        chunk.DeltaTokens++;
                    }
                }
                else if (reader.CurrentDepth == depth + 1 && reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        chunk.FinishReasons = chunk.FinishReasons.Add(FinishReasonNames.Of(ref reader));
                    }
                }
            }
        }
        return count;
    }

    private static bool IsGenerated(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("reasoning_content"u8)
        || reader.ValueTextEquals("reasoning"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("refusal"u8);

    private struct Chunk
    {
        public UsageReader.Counts Usage;
        public int Choices;
        public int DeltaTokens;
        public FinishReasonList FinishReasons;
        public bool Error;
    }
}
