using System.Globalization;

namespace LlmHost.Backends.Configuration;

/// <summary>Sizes in config.yaml: a whole number with B, KB, MB or GB (powers of 1024).</summary>
public static class ByteSize
{
    public static long? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var value = text.Trim();
        var (digits, multiplier) = value.ToUpperInvariant() switch
        {
            var v when v.EndsWith("GB", StringComparison.Ordinal) => (value[..^2], 1L << 30),
            var v when v.EndsWith("MB", StringComparison.Ordinal) => (value[..^2], 1L << 20),
            var v when v.EndsWith("KB", StringComparison.Ordinal) => (value[..^2], 1L << 10),
            var v when v.EndsWith('B') => (value[..^1], 1L),
            _ => (value, 1L),
        };
        return long.TryParse(digits.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= long.MaxValue / multiplier
            ? number * multiplier
            : null;
    }
}
