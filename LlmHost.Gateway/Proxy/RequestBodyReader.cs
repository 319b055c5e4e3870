using LlmHost.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http.Features;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Reads a request body into memory, bounded by <c>gateway.max_request_body_mb</c> and by the body budget: the buffer
/// starts small and grows only as bytes really arrive (a client announcing 16 MiB and sending 10 bytes holds 16 KiB),
/// and every growth is taken from <see cref="RequestBodyBudget"/> first.
/// </summary>
public static class RequestBodyReader
{
    private const int InitialBufferSize = 16 * 1024;

    public static async Task<InspectionResult> ReadAsync(HttpContext context, long maxBytes, RequestBodyBudget.Lease? budget)
    {
        // An announced size over the limit is refused before reading; an announced size under it allocates nothing.
        if (context.Request.ContentLength > maxBytes)
        {
            return InspectionResult.TooLarge;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }
        byte[]? buffer = null;
        var capacity = 0;
        var length = 0;
        try
        {
            while (true)
            {
                if (length == capacity)
                {
                    var next = (int)Math.Min(capacity == 0 ? InitialBufferSize : capacity * 2L, maxBytes + 1);
                    if (budget?.TryGrow(next - capacity) is { } refused and not LimitKind.None)
                    {
                        return InspectionResult.OverBudget(refused);
                    }
                    var larger = BodyBuffer.Rent(next);
                    buffer?.AsSpan(0, length).CopyTo(larger);
                    Swap(ref buffer, larger);
                    capacity = next;
                }
                var read = await context.Request.Body.ReadAsync(buffer!.AsMemory(length, capacity - length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > maxBytes)
                {
                    return InspectionResult.TooLarge;
                }
            }
            var request = new InspectedRequest(buffer!, length);
            buffer = null;
            return InspectionResult.Ok(request);
        }
        catch (BadHttpRequestException ex)
        {
            return ex.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => InspectionResult.TooLarge,
                StatusCodes.Status408RequestTimeout => InspectionResult.TimedOut,
                _ => InspectionResult.Invalid("The request body could not be read.", null),
            };
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return InspectionResult.ClientGone;
        }
        finally
        {
            if (buffer is not null)
            {
                BodyBuffer.Return(buffer);
            }
        }
    }

    private static void Swap(ref byte[]? buffer, byte[] larger)
    {
        if (buffer is not null)
        {
            BodyBuffer.Return(buffer);
        }
        buffer = larger;
    }
}
