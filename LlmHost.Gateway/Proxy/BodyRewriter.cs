using System.Buffers;
using System.Text.Json;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Edits the buffered request body in place of a full re-serialization: replace the <c>model</c> string and/or set
/// <c>stream_options</c> to <c>{"include_usage":true}</c>, copying every other byte unchanged.
/// </summary>
public static class BodyRewriter
{
    private static readonly byte[] UsageOptions = """{"include_usage":true}"""u8.ToArray();
    private static readonly byte[] UsageOptionsProperty = ""","stream_options":{"include_usage":true}"""u8.ToArray();

    /// <summary>Whether the stream must be asked for usage: it is needed to meter tokens, whatever the client asked.</summary>
    public static bool NeedsUsageInjection(InspectedRequest request) => request.Stream && request.IncludeUsage != true;

    /// <summary>
    /// The body to forward, in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it), or null
    /// when nothing needs to change.
    /// </summary>
    public static byte[]? Rewrite(InspectedRequest request, string? upstreamModel, bool injectUsage, out int length)
    {
        length = request.Length;
        if (upstreamModel is null && !injectUsage)
        {
            return null;
        }
        var source = request.Body.Span;
        var model = upstreamModel is null ? default : JsonEncodedText.Encode(upstreamModel, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var capacity = source.Length + (upstreamModel is null ? 0 : model.EncodedUtf8Bytes.Length + 2) + UsageOptionsProperty.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(capacity);
        var written = 0;
        var position = 0;

        void CopyUntil(ReadOnlySpan<byte> from, int end)
        {
            from[position..end].CopyTo(buffer.AsSpan(written));
            written += end - position;
            position = end;
        }

        // Edits are applied in body order; each copies the untouched bytes before it.
        var edits = new (int Start, int End, int Kind)[2];
        var count = 0;
        if (upstreamModel is not null)
        {
            edits[count++] = (request.ModelSpan.Start, request.ModelSpan.End, 0);
        }
        if (injectUsage)
        {
            edits[count++] = request.HasStreamOptions
                ? (request.StreamOptionsSpan.Start, request.StreamOptionsSpan.End, 1)
                : (request.ClosingBrace, request.ClosingBrace, 2);
        }
        if (count == 2 && edits[1].Start < edits[0].Start)
        {
            (edits[0], edits[1]) = (edits[1], edits[0]);
        }
        for (var i = 0; i < count; i++)
        {
            var (start, end, kind) = edits[i];
            CopyUntil(source, start);
            switch (kind)
            {
                case 0:
                    buffer[written++] = (byte)'"';
                    model.EncodedUtf8Bytes.CopyTo(buffer.AsSpan(written));
                    written += model.EncodedUtf8Bytes.Length;
                    buffer[written++] = (byte)'"';
                    break;
                case 1:
                    UsageOptions.CopyTo(buffer.AsSpan(written));
                    written += UsageOptions.Length;
                    break;
                default:
                    UsageOptionsProperty.CopyTo(buffer.AsSpan(written));
                    written += UsageOptionsProperty.Length;
                    break;
            }
            position = end;
        }
        CopyUntil(source, source.Length);
        length = written;
        return buffer;
    }
}
