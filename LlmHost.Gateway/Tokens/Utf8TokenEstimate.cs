using System.Numerics;
using System.Runtime.Intrinsics;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// The character-class estimate of <see cref="CharacterClassTokenCounter"/> (0.3 tokens per ASCII character, one per
/// other character) counted straight on UTF-8 bytes, vectorized: no decoding, no copy, about 1 ms per 16 MiB.
/// Used when no tokenizer is configured, and for whatever is left of a prompt once the tokenizer's time budget is
/// spent. Escapes (<c>\n</c>, <c>\u00e9</c>) count as their ASCII characters: a little more, the safe side.
/// </summary>
public static class Utf8TokenEstimate
{
    public static long Count(ReadOnlySpan<byte> utf8)
    {
        long ascii = 0, leads = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated && utf8.Length >= Vector128<byte>.Count)
        {
            var high = Vector128.Create((byte)0x80);
            var lead = Vector128.Create((byte)0xC0);
            for (; i <= utf8.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(utf8.Slice(i, Vector128<byte>.Count));
                // Bytes below 0x80 are ASCII; bytes of the form 11xxxxxx start a multi-byte character.
                ascii += BitOperations.PopCount(Vector128.ExtractMostSignificantBits(Vector128.LessThan(v, high)));
                leads += BitOperations.PopCount(Vector128.ExtractMostSignificantBits(Vector128.Equals(v & lead, lead)));
            }
        }
        for (; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b < 0x80)
            {
                ascii++;
            }
            else if ((b & 0xC0) == 0xC0)
            {
                leads++;
            }
        }
        return leads + (ascii * 3 + 9) / 10;
    }
}
