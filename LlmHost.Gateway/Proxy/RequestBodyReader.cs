using System.Buffers;
using System.IO.Pipelines;
using LlmHost.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http.Features;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Reads a request body into memory, bounded by <c>gateway.max_request_body_mb</c>, by the body budget and by
/// <c>gateway.server.request_body_timeout</c>: the buffer starts small and grows only as bytes really arrive (a client
/// announcing 16 MiB and sending 10 bytes holds 16 KiB), and every growth is taken from <see cref="RequestBodyBudget"/>
/// first. The request owns the budget's lease from then on, and gives both back once the backend has read the body.
/// </summary>
public static class RequestBodyReader
{
    private const int InitialBufferSize = 16 * 1024;

    public static ValueTask<InspectionResult> ReadAsync(HttpContext context, long maxBytes, RequestBodyBudget.Lease? budget, TimeSpan timeout)
    {
        // An announced size over the limit is refused before reading; an announced size under it allocates nothing.
        if (context.Request.ContentLength > maxBytes)
        {
            return new(InspectionResult.TooLarge);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }
        return TryReadReceived(context, maxBytes, budget) is { } received
            ? new(received)
            : new(ReadArrivingAsync(context, maxBytes, budget, timeout));
    }

    // The usual case: the whole body came with the headers and waits in the server's buffer. Copied at once — no
    // deadline, no growing buffer. Null when it is not all there (or empty): the reads below wait for it.
    private static InspectionResult? TryReadReceived(HttpContext context, long maxBytes, RequestBodyBudget.Lease? budget)
    {
        var reader = context.Request.BodyReader;
        ReadResult result;
        try
        {
            if (!reader.TryRead(out result))
            {
                return null;
            }
        }
        catch (BadHttpRequestException ex)
        {
            // A malformed body (a bad chunk), found as soon as it is looked at: answered now — the server may already
            // have closed its side of the body, and a second read need not meet the same error.
            return Refused(ex);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // A cut body: the reads below meet it again and tell a client gone from a timeout.
            return null;
        }
        var data = result.Buffer;
        if (!result.IsCompleted || result.IsCanceled || data.IsEmpty || data.Length > maxBytes)
        {
            reader.AdvanceTo(data.Start);
            return null;
        }
        var length = (int)data.Length;
        if (budget?.TryGrow(length) is { } refused and not LimitKind.None)
        {
            reader.AdvanceTo(data.Start);
            return InspectionResult.OverBudget(refused);
        }
        var bytes = BodyBuffer.Rent(length);
        data.CopyTo(bytes);
        reader.AdvanceTo(data.End);
        return InspectionResult.Ok(new InspectedRequest(bytes, length, budget));
    }

    // The body as it arrives, within the request body timeout.
    private static async Task<InspectionResult> ReadArrivingAsync(HttpContext context, long maxBytes, RequestBodyBudget.Lease? budget, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(timeout);
        var body = new Buffer(budget);
        try
        {
            return await FillAsync(context.Request.Body, body, maxBytes, deadline.Token) is { } refused
                ? refused
                : InspectionResult.Ok(body.Detach());
        }
        catch (BadHttpRequestException ex)
        {
            return Refused(ex);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return InspectionResult.TimedOut;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return InspectionResult.ClientGone;
        }
        finally
        {
            body.Dispose();
        }
    }

    private static InspectionResult Refused(BadHttpRequestException ex) => ex.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => InspectionResult.TooLarge,
        StatusCodes.Status408RequestTimeout => InspectionResult.TimedOut,
        _ => InspectionResult.Invalid("The request body could not be read.", null),
    };

    private static async Task<InspectionResult?> FillAsync(Stream source, Buffer body, long maxBytes, CancellationToken cancellation)
    {
        while (true)
        {
            if (body.IsFull && body.Grow(maxBytes + 1) is { } refused and not LimitKind.None)
            {
                return InspectionResult.OverBudget(refused);
            }
            var read = await source.ReadAsync(body.Free, cancellation);
            if (read == 0)
            {
                return null;
            }
            body.Length += read;
            if (body.Length > maxBytes)
            {
                return InspectionResult.TooLarge;
            }
        }
    }

    /// <summary>The growing buffer; disposing it returns what was not detached.</summary>
    private sealed class Buffer(RequestBodyBudget.Lease? budget) : IDisposable
    {
        private byte[]? _bytes;

        private int _capacity;

        public int Length { get; set; }
        public bool IsFull => Length == _capacity;
        public Memory<byte> Free => _bytes.AsMemory(Length, _capacity - Length);

        /// <summary>Doubles the capacity (up to <paramref name="limit"/>) once the budget gave the bytes.</summary>
        public LimitKind Grow(long limit)
        {
            var next = (int)Math.Min(_capacity == 0 ? InitialBufferSize : _capacity * 2L, limit);
            if (budget?.TryGrow(next - _capacity) is { } refused and not LimitKind.None)
            {
                return refused;
            }
            var larger = BodyBuffer.Rent(next);
            _bytes?.AsSpan(0, Length).CopyTo(larger);
            Return();
            (_bytes, _capacity) = (larger, next);
            return LimitKind.None;
        }

        public InspectedRequest Detach()
        {
            var request = new InspectedRequest(_bytes!, Length, budget);
            _bytes = null;
            return request;
        }

        public void Dispose() => Return();

        private void Return()
        {
            if (_bytes is not null)
            {
                BodyBuffer.Return(_bytes);
                _bytes = null;
            }
        }
    }
}
