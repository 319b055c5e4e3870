namespace LlmHost.Gateway.ClientApis;

/// <summary>What a response id may look like (<c>resp_…</c>): letters, digits, <c>_</c> and <c>-</c>, bounded — so that an id is safe in a path, a Redis key and a log line.</summary>
public static class ResponseIds
{
    /// <summary>Longest response id accepted (<c>previous_response_id</c>, and the id in a path).</summary>
    public const int MaxLength = 128;

    public static bool IsValid(ReadOnlySpan<byte> id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var b in id)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-'))
            {
                return false;
            }
        }
        return true;
    }

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length is 0 or > MaxLength)
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The id at the reader (a string token) when it is a valid one, else null.</summary>
    public static string? Read(ref System.Text.Json.Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && IsValid(reader.ValueSpan) ? reader.GetString() : null;
}
