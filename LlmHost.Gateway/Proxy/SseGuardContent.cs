using System.Net;
using System.Text;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Wraps a backend's event stream so that a backend dying in the middle of it (connection reset, truncated chunked
/// body, silence longer than <c>gateway.activity_timeout</c>) ends the client's stream cleanly with an SSE error
/// event (in the API's own dialect: chat's <c>data:</c> error then <c>[DONE]</c>, the Responses API's and Anthropic's
/// <c>event: error</c>), instead of a connection the client sees hang or break. The guard keeps its own idle timer
/// on the body (YARP's runs a little longer for streams, see <see cref="ForwarderClient.StreamTimeoutMargin"/>).
/// A client that went away still cancels the upstream read.
/// </summary>
public sealed class SseGuardContent(HttpContent inner, string backend, TimeSpan idleTimeout, CancellationToken clientAborted,
    ClientApis.ApiOperation? operation = null) : HttpContent
{
    protected override async Task<Stream> CreateContentReadStreamAsync() =>
        new GuardStream(await inner.ReadAsStreamAsync(), backend, idleTimeout, clientAborted, operation ?? ClientApis.ApiOperation.Chat);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var source = await CreateContentReadStreamAsync();
        await source.CopyToAsync(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    internal static byte[] ErrorEvent(string backend, bool needsSeparator, ClientApis.ApiOperation? operation = null)
    {
        var message = $"The backend '{backend}' stopped answering in the middle of the stream.";
        var separator = needsSeparator ? "\n\n"u8 : ""u8;
        if (operation is { Anthropic: true })
        {
            return [.. separator, .. Errors.AnthropicErrors.StreamErrorEvent(message)];
        }
        if (operation == ClientApis.ApiOperation.Responses)
        {
            var error = $$$"""{"type":"error","code":"backend_error","message":"{{{message}}}","param":null}""";
            return [.. separator, .. Encoding.UTF8.GetBytes("event: error\ndata: " + error + "\n\n")];
        }
        var json = $$$"""{"error":{"message":"{{{message}}}","type":"server_error","param":null,"code":"backend_error"}}""";
        return [.. separator, .. Encoding.UTF8.GetBytes("data: " + json + "\n\ndata: [DONE]\n\n")];
    }

    private sealed class GuardStream(Stream inner, string backend, TimeSpan idleTimeout, CancellationToken clientAborted, ClientApis.ApiOperation operation) : Stream
    {
        // Cancels the read in progress once it has waited idleTimeout; linked to the client's abort, so that a client
        // that goes away still cancels the read.
        private readonly CancellationTokenSource _idle = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        // One timer for the whole stream (started by the first read that waits), not re-armed by each read: when it
        // fires it looks at how long the read in progress (if any) has waited, and cancels it or fires again when it
        // could have waited idleTimeout.
        private ITimer? _timer;
        // When the read in progress started (Environment.TickCount64: a coarse clock, cheap to read at every token;
        // an idle timeout is seconds long); long.MinValue between reads.
        private long _readSince = long.MinValue;
        private byte[]? _tail;
        private int _tailOffset;
        // The last four bytes read, newest in the low byte; as if after an event end before the first read.
        private uint _last4 = 0x0A0A;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        // Pooled: a read that waits for the engine (every token of a stream) would otherwise allocate its state machine.
        [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_tail is not null)
            {
                return ReadTail(buffer.Span);
            }
            try
            {
                var pending = inner.ReadAsync(buffer, _idle.Token);
                if (!pending.IsCompleted)
                {
                    // Only a read that waits can wait too long: a stream whose bytes are all there needs no timer.
                    Volatile.Write(ref _readSince, Environment.TickCount64);
                    _timer ??= StartTimer();
                }
                var read = await pending;
                Volatile.Write(ref _readSince, long.MinValue);
                foreach (var b in buffer.Span[Math.Max(0, read - 4)..read])
                {
                    _last4 = (_last4 << 8) | b;
                }
                return read;
            }
            catch (Exception ex) when (IsBackendFailure(ex))
            {
                // Mid-event bytes need a blank line first so the error event stays a separate event.
                _tail = ErrorEvent(backend, needsSeparator: !Metering.SseFraming.EndsEvent(_last4), operation);
                return ReadTail(buffer.Span);
            }
        }

        // Without the request's execution context: the timer lives as long as the stream, not as the request's state.
        private ITimer StartTimer()
        {
            using (ExecutionContext.SuppressFlow())
            {
                return TimeProvider.System.CreateTimer(static state => ((GuardStream)state!).OnTimer(), this, idleTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        private void OnTimer()
        {
            var since = Volatile.Read(ref _readSince);
            var waited = since == long.MinValue ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - since);
            try
            {
                if (waited >= idleTimeout)
                {
                    _idle.Cancel();
                }
                else
                {
                    // A little more: the timer may fire a little before the coarse clock has moved on (it ticks every few ms).
                    _timer?.Change(idleTimeout - waited + TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
                }
            }
            catch (ObjectDisposedException)
            {
                // The stream ended meanwhile.
            }
        }

        private bool IsBackendFailure(Exception ex) =>
            !clientAborted.IsCancellationRequested && ex is IOException or HttpRequestException or OperationCanceledException;

        private int ReadTail(Span<byte> destination)
        {
            var count = Math.Min(destination.Length, _tail!.Length - _tailOffset);
            _tail.AsSpan(_tailOffset, count).CopyTo(destination);
            _tailOffset += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _timer?.Dispose();
                inner.Dispose();
                _idle.Dispose();
            }
            base.Dispose(disposing);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
