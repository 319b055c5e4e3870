using System.Buffers.Text;
using System.Text.Unicode;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// Decodes the raw UTF-8 bytes of a JSON string (unescaping <c>\n</c>, <c>\uXXXX</c>, …) or of raw JSON text into
/// UTF-16 a piece at a time, into a buffer of fixed size: a 16 MiB string never needs 32 MB of characters at once,
/// and the counting can stop between pieces. Invalid UTF-8 becomes U+FFFD; escaped surrogates pass through as the
/// code units they are. Good enough for counting tokens, which is all it is for.
/// </summary>
internal ref struct JsonTextReader(ReadOnlySpan<byte> raw, bool unescape)
{
    private readonly ReadOnlySpan<byte> _raw = raw;
    private int _position;

    public readonly bool Done => _position >= _raw.Length;

    /// <summary>The bytes not decoded yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => _raw[_position..];

    /// <summary>Fills <paramref name="destination"/> (at least 2 characters long) with the next characters.</summary>
    public int Next(Span<char> destination)
    {
        var written = 0;
        while (_position < _raw.Length && destination.Length - written >= 2)
        {
            var rest = _raw[_position..];
            var plain = unescape && rest.IndexOf((byte)'\\') is >= 0 and var backslash ? rest[..backslash] : rest;
            if (plain.Length > 0)
            {
                Utf8.ToUtf16(plain, destination[written..], out var read, out var chars, replaceInvalidSequences: true);
                _position += read;
                written += chars;
                if (read < plain.Length)
                {
                    // The destination is full (or nearly: a character that needs two code units did not fit).
                    return written;
                }
                continue;
            }
            written += Unescape(rest, destination[written..]);
        }
        return written;
    }

    // One escape sequence at the start of rest: \n, \t, \", \\, \/, \b, \f, \r, or \uXXXX.
    private int Unescape(ReadOnlySpan<byte> rest, Span<char> destination)
    {
        if (rest.Length < 2)
        {
            _position += rest.Length;
            return 0;
        }
        if (rest[1] == (byte)'u' && rest.Length >= 6 && Utf8Parser.TryParse(rest.Slice(2, 4), out ushort code, out var consumed, 'x') && consumed == 4)
        {
            destination[0] = (char)code;
            _position += 6;
            return 1;
        }
        destination[0] = rest[1] switch
        {
            (byte)'n' => '\n',
            (byte)'t' => '\t',
            (byte)'r' => '\r',
            (byte)'b' => '\b',
            (byte)'f' => '\f',
            var other => (char)other,
        };
        _position += 2;
        return 1;
    }
}
