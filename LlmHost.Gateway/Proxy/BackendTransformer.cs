using System.Net.Http.Headers;
using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Errors;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Request: copy the client's request as YARP does, but never forward its credentials (the backend gets its own
/// key, if it has one) nor Accept-Encoding (the gateway reads the answer to meter it). Response: engine error bodies
/// become OpenAI's shape; event streams are guarded so that a backend dying mid-stream ends them cleanly.
/// </summary>
public sealed class BackendTransformer(string? backendApiKey, string backendName, Func<TimeSpan> streamIdleTimeout) : HttpTransformer
{
    private readonly AuthenticationHeaderValue? _authorization = backendApiKey is null ? null : new("Bearer", backendApiKey);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = _authorization;
        proxyRequest.Headers.Remove("x-api-key");
        proxyRequest.Headers.Remove("Cookie");
        proxyRequest.Headers.Remove("Accept-Encoding");
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is null || !copied.IsCompletedSuccessfully)
        {
            return copied;
        }
        if ((int)proxyResponse.StatusCode >= 400)
        {
            return NormalizeErrorAsync(httpContext, proxyResponse, cancellationToken);
        }
        // The headers were copied already: read the plain string rather than parsing the typed header again.
        if (httpContext.Response.ContentType is { } contentType && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            proxyResponse.Content = new SseGuardContent(proxyResponse.Content, backendName, streamIdleTimeout(), httpContext.RequestAborted);
        }
        return copied;
    }

    private static async ValueTask<bool> NormalizeErrorAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(proxyResponse.Content, cancellationToken);
        var error = BackendErrorNormalizer.Normalize((int)proxyResponse.StatusCode, body);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(error, OpenAIJsonContext.Relaxed.ErrorResponse);
        proxyResponse.Content.Dispose();
        proxyResponse.Content = new ByteArrayContent(bytes);
        var response = httpContext.Response;
        response.Headers.Remove("Content-Encoding");
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        return true;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[BackendErrorNormalizer.MaxBodyBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        return buffer[..length];
    }
}
