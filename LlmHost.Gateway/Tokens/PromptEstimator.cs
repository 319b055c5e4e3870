using System.Buffers;
using System.Text;
using System.Text.Json;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// Estimates the prompt tokens of a completion or embeddings body: the text of <c>messages</c> (string or text
/// parts, plus names and tool calls), <c>prompt</c> or <c>input</c> (strings, or token ids counted one each), and
/// the tool and response-format schemas, plus the chat template's own tokens.
/// </summary>
public static class PromptEstimator
{
    /// <summary>Template tokens per chat message: ChatML (Qwen) and Llama 3 both spend 5.</summary>
    public const int PerMessage = 5;

    /// <summary>Template tokens per chat request: Llama 3's BOS plus its 4-token reply header (ChatML: 3).</summary>
    public const int PerChatRequest = 5;

    public static int Estimate(ReadOnlySpan<byte> body, ITokenCounter counter)
    {
        var scratch = new Scratch(counter);
        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            var total = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    total += CountMessages(ref reader, body, ref scratch);
                }
                else if (reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("input"u8))
                {
                    reader.Read();
                    total += CountPrompt(ref reader, ref scratch);
                }
                else if (reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8) || reader.ValueTextEquals("response_format"u8))
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
            return total;
        }
        catch (JsonException)
        {
            // The inspector already accepted the body, so this does not happen; if it did, bytes/3 is a safe bound.
            return body.Length / 3 + 1;
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private static int CountMessages(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }
        var total = PerChatRequest;
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
                if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    total += CountContent(ref reader, ref scratch);
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    total += 1 + scratch.CountString(ref reader);
                }
                else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
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

    // A string, or an array of parts whose "text" fields count (images and audio are not estimated).
    private static int CountContent(ref Utf8JsonReader reader, ref Scratch scratch)
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
        var total = 0;
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
                var isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    total += scratch.CountString(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        return total;
    }

    // prompt / input: a string, token ids, or an array of either.
    private static int CountPrompt(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return 1 + scratch.CountString(ref reader);
            case JsonTokenType.Number:
                return 1;
            case JsonTokenType.StartArray:
                var total = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    total += CountPrompt(ref reader, ref scratch);
                }
                return total;
            default:
                reader.Skip();
                return 0;
        }
    }

    /// <summary>A pooled character buffer for the unescaped strings.</summary>
    private struct Scratch(ITokenCounter counter) : IDisposable
    {
        private char[]? _chars;

        public int CountString(ref Utf8JsonReader reader)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return 0;
            }
            var written = reader.CopyString(Rent(reader.ValueSpan.Length));
            return counter.Count(_chars.AsSpan(0, written));
        }

        // An object or array counted as its JSON text: how tools and schemas reach the template, near enough.
        public int CountRaw(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var raw = body[start..(int)reader.BytesConsumed];
            var written = Encoding.UTF8.GetChars(raw, Rent(raw.Length));
            return counter.Count(_chars.AsSpan(0, written));
        }

        private Span<char> Rent(int length)
        {
            if (_chars is null || _chars.Length < length)
            {
                if (_chars is not null)
                {
                    ArrayPool<char>.Shared.Return(_chars);
                }
                _chars = ArrayPool<char>.Shared.Rent(Math.Max(length, 256));
            }
            return _chars;
        }

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
