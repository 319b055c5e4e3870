using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// Estimates the prompt tokens of a completion or embeddings body and the tokens to reserve for it: the text of
/// <c>messages</c> (strings or text parts, names, tool calls; image, audio and video parts at
/// <c>limits.media_tokens</c> each), the tool and response-format schemas, and the chat template's own tokens — one
/// prompt; or each element of <c>prompt</c> / <c>input</c> (strings, or token ids counted one each) — one prompt
/// each, every prompt reserving its own completion. For the Responses and Messages APIs (a conversation in
/// <c>input</c> or <c>messages</c>, its instructions in <c>instructions</c> or <c>system</c>) the whole body is one
/// prompt: their items' text, tool calls and tool results.
/// </summary>
/// <remarks>
/// Bounded work whatever the body: strings are counted with the tokenizer for at most
/// <see cref="TokenizerBudgetMs"/>, then from their UTF-8 bytes (<see cref="Utf8TokenEstimate"/>); the request's abort
/// token is observed throughout.
/// </remarks>
public static class PromptEstimator
{
    // Content inside content (tool results) is followed this deep; deeper, it is skipped (the reader's depth is bounded anyway).
    private const int MaxNesting = 16;

    /// <summary>Template tokens per chat message: ChatML (Qwen) and Llama 3 both spend 5.</summary>
    public const int PerMessage = 5;

    /// <summary>Template tokens per chat request: Llama 3's BOS plus its 4-token reply header (ChatML: 3).</summary>
    public const int PerChatRequest = 5;

    /// <summary>
    /// Milliseconds a request's strings may spend in the tokenizer (o200k_base counts about 40 MB a second of prose,
    /// so a 100,000-token prompt fits); the rest is estimated from their bytes.
    /// </summary>
    public const int TokenizerBudgetMs = 10;

    public static PromptEstimate Estimate(ReadOnlySpan<byte> body, ITokenCounter counter, in TokenReservation reservation, MediaTokens media,
        CancellationToken cancellation = default) => Estimate(body, counter, reservation, media, conversationInput: false, cancellation);

    /// <summary>As above; with <paramref name="conversationInput"/> (the Responses API) <c>input</c> is one conversation — a string or a list of items — not a batch of prompts.</summary>
    public static PromptEstimate Estimate(ReadOnlySpan<byte> body, ITokenCounter counter, in TokenReservation reservation, MediaTokens media,
        bool conversationInput, CancellationToken cancellation = default)
    {
        var scratch = new Scratch(counter, media, cancellation);
        long chat = 0, prompts = 0, promptCount = 0, completions = 0;
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    chat = Add(chat, CountMessages(ref reader, body, ref scratch));
                }
                else if (conversationInput && reader.ValueTextEquals("previous_input_messages"u8))
                {
                    // vLLM's own field: earlier turns the client sends along, which the engine puts before the input.
                    reader.Read();
                    chat = Add(chat, CountMessages(ref reader, body, ref scratch));
                }
                else if (conversationInput && reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    chat = Add(chat, reader.TokenType == JsonTokenType.StartArray
                        ? CountMessages(ref reader, body, ref scratch)
                        : PerChatRequest + PerMessage + scratch.CountString(ref reader));
                }
                else if (reader.ValueTextEquals("instructions"u8) || reader.ValueTextEquals("system"u8))
                {
                    reader.Read();
                    chat = Add(chat, PerMessage + CountContent(ref reader, body, ref scratch));
                }
                else if (reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    CountPrompts(ref reader, ref scratch, reservation, ref prompts, ref promptCount, ref completions);
                }
                else if (reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8) || reader.ValueTextEquals("response_format"u8))
                {
                    reader.Read();
                    chat = Add(chat, scratch.CountRaw(ref reader, body));
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
            {
                // A walk that stopped before the end of the body counted only part of it: never trust that.
                return Bound(body, reservation);
            }
        }
        catch (JsonException)
        {
            // The inspector already accepted the body, so this does not happen.
            return Bound(body, reservation);
        }
        finally
        {
            scratch.Dispose();
        }
        // A chat request (or one with neither messages nor prompts) is one prompt.
        if (chat > 0 || promptCount == 0)
        {
            prompts = Add(prompts, chat);
            completions = Add(completions, reservation.CompletionFor(chat));
        }
        return new PromptEstimate((int)Math.Min(int.MaxValue, prompts), Add(prompts, completions));
    }

    // Sums that stay far below overflow (a reservation that wrapped around would admit anything).
    private static long Add(long a, long b) => Math.Min(long.MaxValue / 4, a + Math.Min(b, long.MaxValue / 4));

    // Every byte a token: more than any tokenizer makes of them.
    private static PromptEstimate Bound(ReadOnlySpan<byte> body, in TokenReservation reservation) =>
        new(body.Length, Add(body.Length, reservation.CompletionFor(body.Length)));

    private static long CountMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }
        long total = PerChatRequest;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            total += PerMessage;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("output"u8) || reader.ValueTextEquals("summary"u8))
                {
                    // output: a Responses API function_call_output item's result; summary: a reasoning item's text.
                    reader.Read();
                    total += CountContent(ref reader, body, ref scratch);
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    total += 1 + scratch.CountString(ref reader);
                }
                else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8) || reader.ValueTextEquals("arguments"u8))
                {
                    reader.Read();
                    total += scratch.CountRaw(ref reader, body);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        return total;
    }

    // A string, or an array of parts: text parts count their text; image, audio and video parts a fixed amount;
    // Anthropic's tool_use parts their input, its tool_result parts their content.
    private static long CountContent(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref Scratch scratch)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return scratch.CountString(ref reader);
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }
        long total = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                total += scratch.CountString(ref reader);
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isText = reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("thinking"u8);
                var isNested = reader.ValueTextEquals("content"u8);
                var isInput = reader.ValueTextEquals("input"u8);
                var media = scratch.MediaTokensOf(ref reader);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    total += scratch.CountString(ref reader);
                    continue;
                }
                if (isNested && reader.CurrentDepth < MaxNesting)
                {
                    total += CountContent(ref reader, body, ref scratch);
                    continue;
                }
                if (isInput && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    total += scratch.CountRaw(ref reader, body);
                    continue;
                }
                total += media;
                reader.Skip();
            }
        }
        return total;
    }

    // prompt / input: a string, token ids, or an array of either — each string or token-id array is one prompt.
    private static void CountPrompts(ref Utf8JsonReader reader, ref Scratch scratch, in TokenReservation reservation,
        ref long prompts, ref long promptCount, ref long completions)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            AddPrompt(CountPrompt(ref reader, ref scratch), reservation, ref prompts, ref promptCount, ref completions);
            return;
        }
        // Every loop ends at the end of this array, whatever its elements hold: a nested array's end must not stop it.
        var depth = reader.CurrentDepth;
        if (!reader.Read() || IsEnd(ref reader, depth))
        {
            AddPrompt(0, reservation, ref prompts, ref promptCount, ref completions);
            return;
        }
        if (reader.TokenType == JsonTokenType.Number)
        {
            // [1, 2, 3]: one prompt of token ids (anything else in it counts one per token).
            long ids = 1;
            while (reader.Read() && !IsEnd(ref reader, depth))
            {
                ids++;
            }
            AddPrompt(ids, reservation, ref prompts, ref promptCount, ref completions);
            return;
        }
        do
        {
            AddPrompt(CountPrompt(ref reader, ref scratch), reservation, ref prompts, ref promptCount, ref completions);
        }
        while (reader.Read() && !IsEnd(ref reader, depth));
    }

    private static bool IsEnd(ref Utf8JsonReader reader, int depth) => reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth;

    private static void AddPrompt(long tokens, in TokenReservation reservation, ref long prompts, ref long promptCount, ref long completions)
    {
        prompts = Add(prompts, tokens);
        promptCount++;
        completions = Add(completions, reservation.CompletionFor(tokens));
    }

    // One prompt: a string (plus its BOS), or an array of token ids (anything else in it counts one per element).
    private static long CountPrompt(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return 1 + scratch.CountString(ref reader);
            case JsonTokenType.Number:
                return 1;
            case JsonTokenType.StartArray:
                long ids = 0;
                var depth = reader.CurrentDepth;
                while (reader.Read() && !IsEnd(ref reader, depth))
                {
                    ids += reader.TokenType == JsonTokenType.String ? 1 + scratch.CountString(ref reader) : 1;
                }
                return ids;
            default:
                reader.Skip();
                return 0;
        }
    }

    /// <summary>
    /// The tokenizer, its time budget, a pooled character buffer for unescaped strings, and the media amounts.
    /// </summary>
    private struct Scratch(ITokenCounter counter, MediaTokens media, CancellationToken cancellation) : IDisposable
    {
        // How much work between looks at the clock and the abort token: characters, plus a call's own cost for each
        // string (a body of millions of one-letter strings spends its time in calls, not characters).
        private const int WorkPerCheck = 64 * 1024;
        private const int WorkPerCall = 256;
        private const int PieceLength = 16 * 1024;
        private readonly long _deadline = Stopwatch.GetTimestamp() + TokenizerBudgetMs * Stopwatch.Frequency / 1000;
        private bool _tokenizing = counter is not CharacterClassTokenCounter;
        private int _sinceCheck;
        private char[]? _chars;

        public long CountString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return 0;
            }
            return Count(reader.ValueSpan, unescape: reader.ValueIsEscaped);
        }

        // An object or array counted as its JSON text: how tools and schemas reach the template, near enough.
        public long CountRaw(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return Count(body[start..(int)reader.BytesConsumed], unescape: false);
        }

        // Piece by piece while the tokenizer's budget lasts, then the rest from its bytes.
        private long Count(ReadOnlySpan<byte> raw, bool unescape)
        {
            if (!_tokenizing)
            {
                Spend(raw.Length);
                return Utf8TokenEstimate.Count(raw);
            }
            var text = new JsonTextReader(raw, unescape);
            long total = 0;
            while (_tokenizing && !text.Done)
            {
                var piece = Piece();
                var length = text.Next(piece);
                total += counter.Count(piece[..length]);
                // A whole piece is worth a look at the clock; short strings are looked at every 64 KiB of work.
                if (length == piece.Length - 1 || length == piece.Length)
                {
                    CheckBudget();
                }
                else
                {
                    Spend(length);
                }
            }
            Spend(0);
            return text.Done ? total : total + Utf8TokenEstimate.Count(text.Rest);
        }

        /// <summary>The reserved tokens of a content part's <c>type</c> property when it names a media part, else 0.</summary>
        public readonly long MediaTokensOf(ref Utf8JsonReader reader)
        {
            if (!reader.ValueTextEquals("type"u8))
            {
                return 0;
            }
            var copy = reader;
            copy.Read();
            if (copy.TokenType != JsonTokenType.String)
            {
                return 0;
            }
            return copy.ValueTextEquals("image_url"u8) || copy.ValueTextEquals("image"u8) || copy.ValueTextEquals("input_image"u8) ? media.Image
                : copy.ValueTextEquals("input_audio"u8) || copy.ValueTextEquals("audio_url"u8) ? media.Audio
                : copy.ValueTextEquals("video_url"u8) || copy.ValueTextEquals("video"u8) ? media.Video
                : 0;
        }

        /// <summary>Observes the abort token, and the clock often enough to stop tokenizing once the budget is spent.</summary>
        public void CheckBudget()
        {
            cancellation.ThrowIfCancellationRequested();
            if (_tokenizing && Stopwatch.GetTimestamp() > _deadline)
            {
                _tokenizing = false;
            }
        }

        private void Spend(int characters)
        {
            _sinceCheck += characters + WorkPerCall;
            if (_sinceCheck >= WorkPerCheck)
            {
                _sinceCheck = 0;
                CheckBudget();
            }
        }

        // One buffer per request for the pieces of text handed to the tokenizer.
        private Span<char> Piece() => _chars ??= ArrayPool<char>.Shared.Rent(PieceLength);

        public void Dispose()
        {
            if (_chars is not null)
            {
                ArrayPool<char>.Shared.Return(_chars);
                _chars = null;
            }
        }
    }
}
