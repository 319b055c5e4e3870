using System.Globalization;

namespace LlmHost.Backends.Configuration;

/// <summary>Durations written as in Prometheus and Go: <c>250ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>.</summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        text = text.Trim();
        var unitStart = text.Length;
        while (unitStart > 0 && char.IsLetter(text[unitStart - 1]))
        {
            unitStart--;
        }
        if (!double.TryParse(text.AsSpan(0, unitStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
        {
            return false;
        }
        double? milliseconds = text[unitStart..] switch
        {
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => null,
        };
        // 1e300s parses as a number but is no TimeSpan: refused rather than overflowing where it is used.
        if (milliseconds is not { } ms || !double.IsFinite(ms) || ms > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }
        value = TimeSpan.FromMilliseconds(milliseconds.Value);
        return true;
    }

    /// <summary>The shortest exact text of a duration in the same units: <c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>.</summary>
    public static string Format(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond != 0 ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds}ms")
        : value.Ticks % TimeSpan.TicksPerMinute != 0 || value == TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalSeconds}s")
        : value.Ticks % TimeSpan.TicksPerHour != 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMinutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h");

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a duration such as 500ms, 10s, 5m or 1h");
}
