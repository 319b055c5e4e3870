using System.Buffers;
using System.Diagnostics;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// The client's response body, wrapped: bytes pass straight through (no buffering beyond one unfinished SSE event)
/// while the usage, the streamed tokens and the time of the first byte are read on the way. For streams it can
/// drop the usage-only chunk the gateway asked for on the client's behalf.
/// </summary>
public sealed class MeteringStream : Stream
{
    private enum Mode
    {
        Undecided,
        Sse,
        Json,
        Other,
    }

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private readonly Stream _inner;
    private readonly HttpResponse _response;
    private readonly CompletionMeasurement _measurement;
    private readonly bool _stripUsageChunk;
    private Mode _mode;
    private byte[]? _pending;
    private int _pendingLength;
    private JsonUsageScanner? _json;

    public MeteringStream(Stream inner, HttpResponse response, CompletionMeasurement measurement, bool stripUsageChunk)
    {
        _inner = inner;
        _response = response;
        _measurement = measurement;
        _stripUsageChunk = stripUsageChunk;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }
        var now = Stopwatch.GetTimestamp();
        _measurement.LastByteTimestamp = now;
        _measurement.ResponseBytes += buffer.Length;
        _measurement.ResponseBody?.Append(buffer.Span);
        if (_mode == Mode.Undecided)
        {
            _measurement.FirstByteTimestamp = now;
            _mode = Decide(_response);
        }
        switch (_mode)
        {
            case Mode.Sse:
                await WriteEventsAsync(buffer, cancellationToken);
                break;
            case Mode.Json:
                _json!.Feed(buffer.Span);
                await _inner.WriteAsync(buffer, cancellationToken);
                break;
            default:
                await _inner.WriteAsync(buffer, cancellationToken);
                break;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    /// <summary>Ends metering: writes out an unfinished trailing event, if any, and records the JSON usage.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_pendingLength > 0)
        {
            await _inner.WriteAsync(_pending.AsMemory(0, _pendingLength), cancellationToken);
            _pendingLength = 0;
        }
        _json?.Report(_measurement);
    }

    private Mode Decide(HttpResponse response)
    {
        var contentType = response.ContentType;
        if (contentType is null)
        {
            return Mode.Other;
        }
        if (contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return Mode.Sse;
        }
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && response.StatusCode < 400)
        {
            _json = new JsonUsageScanner();
            return Mode.Json;
        }
        return Mode.Other;
    }

    // Complete events are inspected and written at once; an unfinished one waits for the rest of its bytes.
    private async ValueTask WriteEventsAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> data;
        if (_pendingLength == 0)
        {
            data = buffer;
        }
        else
        {
            EnsurePending(_pendingLength + buffer.Length);
            buffer.Span.CopyTo(_pending.AsSpan(_pendingLength));
            _pendingLength += buffer.Length;
            data = _pending.AsMemory(0, _pendingLength);
        }

        var scanned = 0;
        var keepFrom = 0;
        while (true)
        {
            var end = data.Span[scanned..].IndexOf(EventEnd);
            if (end < 0)
            {
                break;
            }
            var eventEnd = scanned + end + EventEnd.Length;
            var kind = SseEventInspector.Inspect(data.Span[scanned..(scanned + end)], _measurement);
            if (kind == SseEventKind.UsageChunk && _stripUsageChunk)
            {
                if (scanned > keepFrom)
                {
                    await _inner.WriteAsync(data[keepFrom..scanned], cancellationToken);
                }
                keepFrom = eventEnd;
            }
            scanned = eventEnd;
        }
        if (scanned > keepFrom)
        {
            await _inner.WriteAsync(data[keepFrom..scanned], cancellationToken);
        }

        var rest = data.Length - scanned;
        if (rest == 0)
        {
            _pendingLength = 0;
        }
        else if (_pendingLength == 0)
        {
            EnsurePending(rest);
            data.Span[scanned..].CopyTo(_pending);
            _pendingLength = rest;
        }
        else
        {
            _pending.AsSpan(scanned, rest).CopyTo(_pending);
            _pendingLength = rest;
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_pending))]
    private void EnsurePending(int size)
    {
        if (_pending is null || _pending.Length < size)
        {
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(size, 4096));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingLength).CopyTo(next);
                ArrayPool<byte>.Shared.Return(_pending);
            }
            _pending = next;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json?.Dispose();
            if (_pending is not null)
            {
                ArrayPool<byte>.Shared.Return(_pending);
                _pending = null;
            }
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
