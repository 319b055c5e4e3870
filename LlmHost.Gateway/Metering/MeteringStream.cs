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

    /// <summary>
    /// Longest unfinished event held back for inspection; a longer one is passed on as it comes (it cannot be the
    /// usage chunk to strip, and holding it would let a backend grow the gateway's memory without bound), its data
    /// read on the way by a resumable scanner — a Responses API event repeats the request's instructions and tools,
    /// and may be long, yet carries the usage and the response's id.
    /// </summary>
    public const int MaxPendingEvent = 1024 * 1024;

    private readonly Stream _inner;
    private readonly HttpResponse _response;
    private readonly CompletionMeasurement _measurement;
    private readonly bool _stripUsageChunk;
    private Mode _mode;
    private byte[]? _pending;
    private int _pendingLength;
    // Inside an event too long to hold: its bytes pass through until it ends.
    private bool _skippingEvent;
    // The last write ended an event with a CR: an LF first in the next write belongs to that event (CR LF).
    private bool _endedOnCr;
    private bool _lastEventStripped;
    private bool _announced;
    private JsonUsageScanner? _json;
    // The data of the event too long to hold, read as it passes.
    private JsonUsageScanner? _oversized;
    // A stream's plain token chunk, as learnt from one read whole.
    private PlainChunkShape? _plainChunk;

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
        if (_mode == Mode.Undecided)
        {
            _measurement.FirstByteTimestamp = now;
            _mode = Decide(_response);
            if (_measurement.Prefill is { } prefill)
            {
                // A stream's first byte comes with its first token; an unstreamed answer's, at its end.
                if (_mode == Mode.Sse && _response.StatusCode < 400)
                {
                    prefill.FirstToken();
                }
                else
                {
                    prefill.End();
                }
                _measurement.Prefill = null;
            }
        }
        switch (_mode)
        {
            case Mode.Sse:
                await WriteEventsAsync(buffer, cancellationToken);
                break;
            case Mode.Json:
                _json!.Feed(buffer.Span);
                _measurement.ResponseId ??= _json.Id;
                await AnnounceResponseIdAsync();
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

    // The id of a stored response is made known before the bytes that carry it reach the client: a follow-up the
    // client sends the moment it reads the id must find its instance.
    private ValueTask AnnounceResponseIdAsync()
    {
        if (_announced || _measurement.ResponseId is not { } id || _measurement.OnResponseId is not { } announce)
        {
            return ValueTask.CompletedTask;
        }
        _announced = true;
        return announce(id);
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
            _plainChunk = new PlainChunkShape();
            return Mode.Sse;
        }
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && response.StatusCode < 400)
        {
            _json = new JsonUsageScanner(_measurement.Model, _measurement.Traced, _measurement.KeepsResponseId);
            return Mode.Json;
        }
        return Mode.Other;
    }

    // Complete events are inspected and written at once; an unfinished one waits for the rest of its bytes.
    private async ValueTask WriteEventsAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        buffer = await FinishCrLfAsync(buffer, cancellationToken);
        if (buffer.IsEmpty)
        {
            return;
        }
        var data = Append(buffer);
        var (scanned, keepFrom) = await WriteCompleteEventsAsync(data, cancellationToken);
        await AnnounceResponseIdAsync();
        var rest = data.Length - scanned;
        if (rest > MaxPendingEvent)
        {
            // Too long to hold: out it goes, and the rest of this event follows without being held.
            ScanOversized(data.Span[scanned..]);
            _skippingEvent = true;
            scanned = data.Length;
            rest = 0;
            await AnnounceResponseIdAsync();
        }
        if (scanned > keepFrom)
        {
            await _inner.WriteAsync(data[keepFrom..scanned], cancellationToken);
        }
        KeepPending(data, scanned, rest);
    }

    // An event that ended on CR whose LF comes in this write: the LF is that event's (not written if it was stripped).
    private async ValueTask<ReadOnlyMemory<byte>> FinishCrLfAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_endedOnCr)
        {
            return buffer;
        }
        _endedOnCr = false;
        if (buffer.Span[0] != '\n')
        {
            return buffer;
        }
        if (!_lastEventStripped)
        {
            await _inner.WriteAsync(buffer[..1], cancellationToken);
        }
        return buffer[1..];
    }

    // The bytes to scan: this write's, after the unfinished event held from the previous ones.
    private ReadOnlyMemory<byte> Append(ReadOnlyMemory<byte> buffer)
    {
        if (_pendingLength == 0)
        {
            return buffer;
        }
        EnsurePending(_pendingLength + buffer.Length);
        buffer.Span.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += buffer.Length;
        return _pending.AsMemory(0, _pendingLength);
    }

    // Inspects every complete event; writes those before a stripped one. Returns where scanning stopped and the first
    // byte not yet written.
    private async ValueTask<(int Scanned, int KeepFrom)> WriteCompleteEventsAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var scanned = 0;
        var keepFrom = 0;
        int eventEnd;
        while ((eventEnd = SseFraming.FindEventEnd(data.Span, scanned, out var contentEnd)) >= 0)
        {
            var kind = _skippingEvent ? EndOversized(data.Span[scanned..contentEnd]) : SseEventInspector.Inspect(data.Span[scanned..contentEnd], _measurement, _plainChunk);
            _skippingEvent = false;
            _lastEventStripped = kind == SseEventKind.UsageChunk && _stripUsageChunk;
            if (_lastEventStripped)
            {
                if (scanned > keepFrom)
                {
                    await _inner.WriteAsync(data[keepFrom..scanned], cancellationToken);
                }
                keepFrom = eventEnd;
            }
            scanned = eventEnd;
            _endedOnCr = eventEnd == data.Length && data.Span[^1] == '\r';
        }
        return (scanned, keepFrom);
    }

    // Feeds the passing bytes of an event too long to hold to its scanner: from its data line's value at first.
    private void ScanOversized(ReadOnlySpan<byte> bytes)
    {
        if (_oversized is null)
        {
            var data = bytes.IndexOf("data:"u8);
            if (data < 0)
            {
                return;
            }
            bytes = bytes[(data + 5)..];
            _oversized = new JsonUsageScanner(_measurement.Model, _measurement.Traced, _measurement.KeepsResponseId, envelopes: true);
        }
        _oversized.Feed(bytes);
        _measurement.ResponseId ??= _oversized.Id;
    }

    // The end of an event too long to hold: what its scanner read counts as if the event had been inspected.
    private SseEventKind EndOversized(ReadOnlySpan<byte> tail)
    {
        if (_oversized is not { } scanner)
        {
            return SseEventKind.Other;
        }
        scanner.Feed(tail);
        scanner.Report(_measurement);
        var failed = scanner.EventFailed;
        scanner.Dispose();
        _oversized = null;
        _measurement.StreamError |= failed;
        return failed ? SseEventKind.Error : SseEventKind.Other;
    }

    // Holds the unfinished event's bytes for the next write.
    private void KeepPending(ReadOnlyMemory<byte> data, int scanned, int rest)
    {
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
            _oversized?.Dispose();
            _plainChunk?.Dispose();
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
