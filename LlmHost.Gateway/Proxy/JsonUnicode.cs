using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Checks that the strings of a request body are Unicode text: valid UTF-8, and <c>\uXXXX</c> escapes whose
/// surrogates come in pairs. <see cref="Utf8JsonReader"/> checks neither for a string it is not asked to decode,
/// and an engine handed <c>\ud800</c> fails in its own way (a 500); the gateway refuses it with a 400 instead.
/// </summary>
internal static class JsonUnicode
{
    /// <summary>Skips the value at the reader (walking a container token by token); false at the first bad string.</summary>
    public static bool SkipChecked(ref Utf8JsonReader reader) => SkipChecked(ref reader, out _);

    /// <summary>Skips the value at the reader, counting the elements of an array; false at the first bad string.</summary>
    public static bool SkipChecked(ref Utf8JsonReader reader, out int elements)
    {
        elements = 0;
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return reader.TokenType != JsonTokenType.String || IsValid(ref reader);
        }
        var depth = reader.CurrentDepth;
        var array = reader.TokenType == JsonTokenType.StartArray;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (array && reader.CurrentDepth == depth + 1 && reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject))
            {
                elements++;
            }
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsValid(ref reader))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether the string or property name at the reader is valid Unicode.</summary>
    public static bool IsValid(ref Utf8JsonReader reader) =>
        Utf8.IsValid(reader.ValueSpan) && (!reader.ValueIsEscaped || SurrogatesPair(reader.ValueSpan));

    private static bool SurrogatesPair(ReadOnlySpan<byte> raw)
    {
        var expectLow = false;
        var i = 0;
        while (true)
        {
            var next = raw[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return !expectLow;
            }
            if (expectLow && next > 0)
            {
                return false;
            }
            i += next;
            if (i + 1 >= raw.Length || raw[i + 1] != 'u')
            {
                if (expectLow)
                {
                    return false;
                }
                i += 2;
                continue;
            }
            if (i + 6 > raw.Length || !Utf8Parser.TryParse(raw.Slice(i + 2, 4), out ushort code, out var consumed, 'x') || consumed != 4)
            {
                return false;
            }
            var high = code is >= 0xD800 and <= 0xDBFF;
            var low = code is >= 0xDC00 and <= 0xDFFF;
            if (high ? expectLow : low != expectLow)
            {
                return false;
            }
            expectLow = high;
            i += 6;
        }
    }
}
