using System.Net.Http.Headers;
using System.Text.Json;
using LlmHost.Backends.OpenAI;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Request: copy the client's request as YARP does, but never forward its credentials (the backend gets its own
/// key, if it has one), Accept-Encoding (the gateway reads the answer to meter it), a Host of its choosing (the
/// backend's key must go to the backend's own address) or headers that claim where the request came from or name
/// it for the engine. Response: the engine's <c>Server</c> header is dropped; engine error bodies become OpenAI's
/// shape with a bounded message (the whole text goes to the log); event streams are guarded so that a backend dying
/// mid-stream ends them cleanly.
/// </summary>
public sealed class BackendTransformer(string? backendApiKey, string backendName, Func<TimeSpan> streamIdleTimeout, ILogger logger) : HttpTransformer
{
    /// <summary>Client headers never forwarded, besides credentials: forwarding claims and the engines' request id.</summary>
    internal static readonly string[] DroppedRequestHeaders =
        ["x-api-key", "Cookie", "Accept-Encoding", "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
         "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Real-IP", "X-Request-Id", "X-Correlation-Id"];

    /// <summary>Characters of an engine's error message passed to the client.</summary>
    public const int MaxErrorMessageLength = 512;

    private readonly AuthenticationHeaderValue? _authorization = backendApiKey is null ? null : new("Bearer", backendApiKey);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = _authorization;
        // Null: HttpClient sends the destination's own authority.
        proxyRequest.Headers.Host = null;
        foreach (var header in DroppedRequestHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copied = base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is null || !copied.IsCompletedSuccessfully)
        {
            return copied;
        }
        httpContext.Response.Headers.Remove("Server");
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

    private async ValueTask<bool> NormalizeErrorAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(proxyResponse.Content, cancellationToken);
        var error = BackendErrorNormalizer.Normalize((int)proxyResponse.StatusCode, body);
        if (error.Error.Message.Length > MaxErrorMessageLength)
        {
            ProxyLog.BackendErrorCut(logger, backendName, (int)proxyResponse.StatusCode, error.Error.Message[..Math.Min(error.Error.Message.Length, 4096)]);
            error.Error.Message = string.Concat(error.Error.Message.AsSpan(0, MaxErrorMessageLength), "…");
        }
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
