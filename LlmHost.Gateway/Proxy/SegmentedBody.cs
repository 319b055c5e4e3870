namespace LlmHost.Gateway.Proxy;

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
