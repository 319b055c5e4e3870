using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Edits the buffered request body without re-serializing or copying it: replace the <c>model</c> string, set
/// <c>stream_options</c> to <c>{"include_usage":true}</c>, cut the fields that must not reach the engine, add vLLM's
/// <c>priority</c> for the request's class where the engine schedules by priority; every other
/// byte is forwarded as it came, straight from the buffer.
/// </summary>
public static class BodyRewriter
{
    private static ReadOnlySpan<byte> UsageOptions => """{"include_usage":true}"""u8;
    private static ReadOnlySpan<byte> UsageOptionsProperty => ""","stream_options":{"include_usage":true}"""u8;

    /// <summary>
    /// Whether the stream must be asked for usage: it is needed to meter tokens, whatever the client asked. Chat and
    /// completions only: the Responses and Messages streams always end with their usage.
    /// </summary>
    public static bool NeedsUsageInjection(InspectedRequest request) =>
        request.Stream && request.IncludeUsage != true && (request.Operation == ClientApis.ApiOperation.Chat || request.Operation == ClientApis.ApiOperation.TextCompletion);

    /// <summary>The body to forward, or null when nothing needs to change; it releases the request once read to its end.</summary>
    public static SegmentedBody? Rewrite(InspectedRequest request, string? upstreamModel, bool injectUsage, int? enginePriority = null)
    {
        if (upstreamModel is null && !injectUsage && request.Removals.Count == 0 && enginePriority is null)
        {
            return null;
        }
        var edits = new List<(BodySpan Span, ReadOnlyMemory<byte> With)>(request.Removals.Count + 3);
        if (enginePriority is { } priority)
        {
            edits.Add((new BodySpan(request.ClosingBrace, 0), Encoding.UTF8.GetBytes($",\"priority\":{priority}")));
        }
        if (upstreamModel is not null)
        {
            edits.Add((request.ModelSpan, Quoted(upstreamModel)));
        }
        if (injectUsage)
        {
            edits.Add(request.HasStreamOptions
                ? (request.StreamOptionsSpan, UsageOptions.ToArray())
                : (new BodySpan(request.ClosingBrace, 0), UsageOptionsProperty.ToArray()));
        }
        foreach (var removal in request.Removals)
        {
            edits.Add((removal, ReadOnlyMemory<byte>.Empty));
        }
        edits.Sort(static (a, b) => a.Span.Start.CompareTo(b.Span.Start));

        var body = request.Body;
        var segments = new List<ReadOnlyMemory<byte>>(edits.Count * 2 + 1);
        var position = 0;
        foreach (var (span, with) in edits)
        {
            segments.Add(body[position..span.Start]);
            segments.Add(with);
            position = span.End;
        }
        segments.Add(body[position..]);
        return new SegmentedBody(segments, request);
    }

    private static byte[] Quoted(string value)
    {
        var encoded = JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var quoted = new byte[encoded.Length + 2];
        quoted[0] = quoted[^1] = (byte)'"';
        encoded.CopyTo(quoted.AsSpan(1));
        return quoted;
    }
}
