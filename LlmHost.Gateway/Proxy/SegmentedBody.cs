namespace LlmHost.Gateway.Proxy;

/// <summary>
/// A read-only stream over pieces of memory: the forwarded body, without copying it into one buffer. Once read to its
/// end it disposes <c>owner</c> (the request's buffer and its body budget): the backend has the body, the gateway no
/// longer needs to hold it while the answer streams.
/// </summary>
public sealed class SegmentedBody : Stream
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _segments;
    // The body as it came (no edits): one piece, kept without a list.
    private readonly ReadOnlyMemory<byte> _single;
    private readonly int _count;
    private IDisposable? _owner;
    private int _segment;
    private int _offset;

    public SegmentedBody(IReadOnlyList<ReadOnlyMemory<byte>> segments, IDisposable? owner = null)
    {
        (_segments, _count, _owner) = (segments, segments.Count, owner);
        for (var i = 0; i < segments.Count; i++)
        {
            Length += segments[i].Length;
        }
    }

    public SegmentedBody(ReadOnlyMemory<byte> body, IDisposable? owner = null) =>
        (_single, _count, _owner, Length) = (body, 1, owner, body.Length);

    private ReadOnlyMemory<byte> Segment(int index) => _segments is null ? _single : _segments[index];

    public override long Length { get; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (_segment == _count)
        {
            // The end: the memory the segments point into may be given back now, and is never read again.
            Interlocked.Exchange(ref _owner, null)?.Dispose();
            return 0;
        }
        var written = 0;
        while (written < buffer.Length && _segment < _count)
        {
            var segment = Segment(_segment);
            var rest = segment.Span[_offset..];
            var count = Math.Min(rest.Length, buffer.Length - written);
            rest[..count].CopyTo(buffer[written..]);
            written += count;
            _offset += count;
            if (_offset == segment.Length)
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
