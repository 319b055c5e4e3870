using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Edits the buffered request body without re-serializing or copying it: replace the <c>model</c> string, set
/// <c>stream_options</c> to <c>{"include_usage":true}</c>, cut the fields that must not reach the engine; every other
/// byte is forwarded as it came, straight from the buffer.
/// </summary>
public static class BodyRewriter
{
    private static ReadOnlySpan<byte> UsageOptions => """{"include_usage":true}"""u8;
    private static ReadOnlySpan<byte> UsageOptionsProperty => ""","stream_options":{"include_usage":true}"""u8;

    /// <summary>Whether the stream must be asked for usage: it is needed to meter tokens, whatever the client asked.</summary>
    public static bool NeedsUsageInjection(InspectedRequest request) => request.Stream && request.IncludeUsage != true;

    /// <summary>The body to forward, or null when nothing needs to change.</summary>
    public static SegmentedBody? Rewrite(InspectedRequest request, string? upstreamModel, bool injectUsage)
    {
        if (upstreamModel is null && !injectUsage && request.Removals.Count == 0)
        {
            return null;
        }
        var edits = new List<(BodySpan Span, ReadOnlyMemory<byte> With)>(request.Removals.Count + 2);
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
        return new SegmentedBody(segments);
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

/// <summary>A read-only stream over pieces of memory: the forwarded body, without copying it into one buffer.</summary>
public sealed class SegmentedBody : Stream
{
    private readonly List<ReadOnlyMemory<byte>> _segments;
    private int _segment;
    private int _offset;

    public SegmentedBody(List<ReadOnlyMemory<byte>> segments)
    {
        _segments = segments;
        foreach (var segment in segments)
        {
            Length += segment.Length;
        }
    }

    public override long Length { get; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length && _segment < _segments.Count)
        {
            var rest = _segments[_segment].Span[_offset..];
            var count = Math.Min(rest.Length, buffer.Length - written);
            rest[..count].CopyTo(buffer[written..]);
            written += count;
            _offset += count;
            if (_offset == _segments[_segment].Length)
            {
                _segment++;
                _offset = 0;
            }
        }
        return written;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
