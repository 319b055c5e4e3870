namespace LlmHost.Gateway.Metering;

/// <summary>
/// Where server-sent events end. The SSE format ends a line with CR LF, LF or CR, and an event with an empty line:
/// engines write <c>\n\n</c>, some OpenAI-compatible servers <c>\r\n\r\n</c>, and all of them must be metered.
/// </summary>
public static class SseFraming
{
    /// <summary>
    /// The end of the first complete event at or after <paramref name="from"/>: <paramref name="contentEnd"/> is where
    /// its text ends (before the line break that starts the blank line), and the returned offset is just after that
    /// blank line. -1 when the data holds no complete event yet (a CR at the very end may still be followed by LF).
    /// </summary>
    public static int FindEventEnd(ReadOnlySpan<byte> data, int from, out int contentEnd)
    {
        contentEnd = -1;
        var position = from;
        while (position < data.Length)
        {
            var found = data[position..].IndexOfAny((byte)'\r', (byte)'\n');
            if (found < 0)
            {
                return -1;
            }
            var lineEnd = position + found;
            var first = LineBreakLength(data, lineEnd);
            if (first == 0)
            {
                return -1;
            }
            var next = lineEnd + first;
            if (next >= data.Length)
            {
                return -1;
            }
            if (data[next] is (byte)'\r' or (byte)'\n')
            {
                contentEnd = lineEnd;
                // A CR ending the data closes the event; an LF that may follow is an empty line of the next one.
                return next + (data[next] == '\r' && next + 1 < data.Length && data[next + 1] == '\n' ? 2 : 1);
            }
            position = next;
        }
        return -1;
    }

    // 2 for CR LF, 1 for LF or a CR followed by something else, 0 for a CR at the end of the data (unknown yet).
    private static int LineBreakLength(ReadOnlySpan<byte> data, int at) =>
        data[at] == '\n' ? 1
        : at + 1 >= data.Length ? 0
        : data[at + 1] == '\n' ? 2
        : 1;

    /// <summary>
    /// Whether a stream whose last four bytes are <paramref name="last4"/> (the newest in the low byte) ended an event
    /// (or nothing was sent), so that what follows starts a new event.
    /// </summary>
    public static bool EndsEvent(uint last4) =>
        (last4 & 0xFFFF) is 0x0A0A or 0x0D0D || last4 == 0x0D0A0D0A;
}
