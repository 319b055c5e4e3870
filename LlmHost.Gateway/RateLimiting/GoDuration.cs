using System.Globalization;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Durations as OpenAI writes them in <c>x-ratelimit-reset-*</c> (Go's <c>time.Duration</c> text, to the
/// millisecond): <c>12ms</c>, <c>1.5s</c>, <c>6m0s</c>, <c>1h2m3s</c>. One string a call, written in place.
/// </summary>
public static class GoDuration
{
    public static string Format(TimeSpan duration)
    {
        var ms = (long)Math.Ceiling(duration.TotalMilliseconds);
        if (ms <= 0)
        {
            return "0s";
        }
        Span<char> text = stackalloc char[48];
        var length = 0;
        if (ms < 1000)
        {
            Append(text, ref length, ms);
            text[length++] = 'm';
            text[length++] = 's';
            return new string(text[..length]);
        }
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        if (hours > 0)
        {
            Append(text, ref length, hours);
            text[length++] = 'h';
        }
        if (hours > 0 || minutes > 0)
        {
            Append(text, ref length, minutes);
            text[length++] = 'm';
        }
        Append(text, ref length, ms % 60_000 / 1000);
        if (ms % 1000 is > 0 and var fraction)
        {
            // Up to three decimals, without trailing zeros: .5, .57, .574.
            text[length++] = '.';
            for (var unit = 100; fraction > 0; unit /= 10)
            {
                text[length++] = (char)('0' + fraction / unit);
                fraction %= unit;
            }
        }
        text[length++] = 's';
        return new string(text[..length]);
    }

    private static void Append(Span<char> text, ref int length, long value)
    {
        value.TryFormat(text[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
    }
}
