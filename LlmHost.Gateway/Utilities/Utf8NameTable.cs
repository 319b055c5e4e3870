using System.Text;
using System.Text.Json;

namespace LlmHost.Gateway.Utilities;

/// <summary>
/// A fixed set of JSON property names, found from a reader's property name by its length and then its bytes: one or
/// two comparisons a property, where a chain of <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>
/// makes one for every known name (and most of a request's properties are none of them). Escaped names are
/// unescaped first, so they match as the reader's own comparison would; a name that is not text (an escaped lone
/// surrogate) matches none.
/// </summary>
public sealed class Utf8NameTable<T>
{
    // JSON's longest escape (\uXXXX) is six bytes for one character.
    private const int MaxEscapeBytes = 6;

    private readonly (byte[] Name, T Value)[][] _byLength;

    /// <param name="names">The names and their values; of two equal names, the first is found.</param>
    public Utf8NameTable(IEnumerable<(string Name, T Value)> names)
    {
        var entries = names.Select(n => (Name: Encoding.UTF8.GetBytes(n.Name), n.Value)).ToArray();
        var longest = entries.Length == 0 ? 0 : entries.Max(e => e.Name.Length);
        _byLength = new (byte[], T)[longest + 1][];
        for (var length = 0; length <= longest; length++)
        {
            _byLength[length] = [.. entries.Where(e => e.Name.Length == length)];
        }
    }

    /// <summary>The value of the property name at the reader, if it is one of the table's.</summary>
    public bool TryFind(ref Utf8JsonReader reader, out T value)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return TryFind(reader.ValueSpan, out value);
        }
        var escapedLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (escapedLength > (_byLength.Length - 1) * MaxEscapeBytes)
        {
            // Even unescaped it is longer than every name.
            value = default!;
            return false;
        }
        Span<byte> name = stackalloc byte[(_byLength.Length - 1) * MaxEscapeBytes];
        int length;
        try
        {
            length = reader.CopyString(name);
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800): no text, so none of the names.
            value = default!;
            return false;
        }
        return TryFind(name[..length], out value);
    }

    private bool TryFind(ReadOnlySpan<byte> name, out T value)
    {
        if (name.Length < _byLength.Length)
        {
            foreach (var (known, knownValue) in _byLength[name.Length])
            {
                if (name.SequenceEqual(known))
                {
                    value = knownValue;
                    return true;
                }
            }
        }
        value = default!;
        return false;
    }
}
