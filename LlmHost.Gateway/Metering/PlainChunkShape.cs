using System.Buffers;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// The bytes of a stream's plain token chunk around its generated string, learnt from one chunk read whole. An engine
/// writes every token chunk of a stream alike but for that string (same id, created, model, choice and nulls), so a
/// chunk with the same bytes before and after a non-empty string is another plain token: counted as one without
/// reading its JSON, exactly as the read would have counted it. Any other chunk is read whole (and may teach a new
/// shape).
/// </summary>
public sealed class PlainChunkShape : IDisposable
{
    /// <summary>A chunk longer than this is not learnt (its bytes would be held for the whole stream).</summary>
    public const int MaxLength = 4096;

    private byte[]? _bytes;
    private int _prefix;
    private int _suffix;

    /// <summary>Whether the chunk is the learnt shape with another non-empty string in it.</summary>
    public bool Matches(ReadOnlySpan<byte> payload)
    {
        if (_bytes is null || payload.Length <= _prefix + _suffix)
        {
            return false;
        }
        var value = payload[_prefix..^_suffix];
        // No quote inside (it would end the string: another shape), and a string the JSON reader would take: no raw
        // control byte (a line break of a multi-line event among them), only valid escapes.
        return payload.StartsWith(_bytes.AsSpan(0, _prefix)) && payload.EndsWith(_bytes.AsSpan(_prefix, _suffix))
            && value.IndexOfAnyInRange((byte)0, (byte)0x1F) < 0 && value.IndexOf((byte)'"') < 0
            && (value.IndexOf((byte)'\\') < 0 || EscapesValid(value));
    }

    // Each backslash starts one of JSON's escapes: \" \\ \/ \b \f \n \r \t, or \u and four hex digits.
    private static bool EscapesValid(ReadOnlySpan<byte> value)
    {
        for (var i = value.IndexOf((byte)'\\'); i >= 0 && i < value.Length; i++)
        {
            if (value[i] != (byte)'\\')
            {
                continue;
            }
            if (i + 1 >= value.Length)
            {
                return false;
            }
            var escape = value[++i];
            if (escape == (byte)'u')
            {
                if (i + 4 >= value.Length || !System.Buffers.Text.Utf8Parser.TryParse(value.Slice(i + 1, 4), out ushort _, out var used, 'X') || used != 4)
                {
                    return false;
                }
                i += 4;
            }
            else if (escape is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Learns the shape of a chunk read whole that counted exactly one token, from one choice, with no usage, finish
    /// reason or error: the bytes before and after the value of its only <c>"content":"</c> (chat) or <c>"text":"</c>
    /// (completions). Does nothing when that string cannot be found once, unambiguously.
    /// </summary>
    public void Learn(ReadOnlySpan<byte> payload, string operation)
    {
        if (payload.Length > MaxLength)
        {
            return;
        }
        var marker = operation == "chat" ? "\"content\":\""u8 : "\"text\":\""u8;
        var at = payload.IndexOf(marker);
        if (at < 0 || payload[(at + 1)..].IndexOf(marker) >= 0)
        {
            return;
        }
        var start = at + marker.Length;
        var end = StringEnd(payload, start);
        if (end <= start)
        {
            return;
        }
        if (_bytes is null || _bytes.Length < payload.Length)
        {
            Dispose();
            _bytes = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 256));
        }
        payload[..start].CopyTo(_bytes);
        payload[end..].CopyTo(_bytes.AsSpan(start));
        (_prefix, _suffix) = (start, payload.Length - end);
    }

    // Where the JSON string whose value starts at `start` ends (its closing quote), or -1.
    private static int StringEnd(ReadOnlySpan<byte> payload, int start)
    {
        for (var i = start; i < payload.Length; i++)
        {
            if (payload[i] == (byte)'\\')
            {
                i++;
            }
            else if (payload[i] == (byte)'"')
            {
                return i;
            }
        }
        return -1;
    }

    public void Dispose()
    {
        if (_bytes is not null)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = null;
        }
    }
}
