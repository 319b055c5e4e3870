using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using LlmHost.Backends.OpenAI;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Request: only what an engine needs goes on — the route's canonical path (no query string), the body with its
/// type and length, <see cref="ForwardedRequestHeaders"/>, the backend's own key (if it has one) and the trace context
/// of the gateway's request (its activity's, continuing the client's; a recorded client span's when a tracer records
/// one). Nothing else of the client's: not its credentials,
/// cookies, Host, Accept-Encoding (the gateway reads the answer to meter it), claims of where the request came from,
/// nor engine-specific headers no one reviewed. Response: the engine's <c>Server</c> header is dropped; engine error
/// bodies become OpenAI's shape with a bounded message (the whole text goes to the log); a redirect becomes a 502;
/// event streams are guarded so that a backend dying mid-stream ends them cleanly.
/// </summary>
public sealed class BackendTransformer(string? backendApiKey, string backendName, ForwarderClient client, ILogger logger) : HttpTransformer
{
    /// <summary>
    /// The client's request headers an engine gets (an allow-list: a header not named here, or in
    /// <c>gateway.forward_headers</c>, is not forwarded).
    /// </summary>
    internal static readonly string[] ForwardedRequestHeaders = ["Accept", "User-Agent"];

    /// <summary>What Anthropic's clients send beside the body on the Messages API: the API version and the beta features they use.</summary>
    internal static readonly string[] AnthropicRequestHeaders = ["anthropic-version", "anthropic-beta"];

    /// <summary>Characters of an engine's error message passed to the client.</summary>
    public const int MaxErrorMessageLength = 512;

    private readonly AuthenticationHeaderValue? _authorization = backendApiKey is null ? null : new("Bearer", backendApiKey);

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var request = httpContext.Request;
        Forward(request.Headers, ForwardedRequestHeaders, proxyRequest);
        Forward(request.Headers, client.ExtraForwardedHeaders, proxyRequest);
        if (ClientApis.ApiOperation.IsAnthropic(httpContext))
        {
            Forward(request.Headers, AnthropicRequestHeaders, proxyRequest);
        }
        if (proxyRequest.Content is { } content)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            content.Headers.ContentLength = request.ContentLength;
        }
        PropagateTraceContext(proxyRequest);
        proxyRequest.Headers.Authorization = _authorization;
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, CanonicalPath.Of(httpContext), QueryString.Empty);
        return ValueTask.CompletedTask;
    }

    // The trace context of the request's activity (which continues the client's, when it sent a valid one): the
    // engine's spans join the trace the access log names (request_id), and keep its sampling decision. A client span
    // of the HTTP client's own, when a tracer records one, replaces it (its propagator writes these headers anew).
    private static void PropagateTraceContext(HttpRequestMessage proxyRequest)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C, Id: { } id } activity)
        {
            return;
        }
        proxyRequest.Headers.TryAddWithoutValidation(TraceParent, id);
        if (activity.TraceStateString is { Length: > 0 and <= MaxTraceStateLength } state)
        {
            proxyRequest.Headers.TryAddWithoutValidation(TraceState, state);
        }
    }

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";

    // What the W3C asks a vendor to keep of tracestate: a longer one is dropped, not cut.
    private const int MaxTraceStateLength = 512;

    private static void Forward(IHeaderDictionary headers, IReadOnlyList<string> names, HttpRequestMessage proxyRequest)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (headers.TryGetValue(names[i], out var values))
            {
                proxyRequest.Headers.TryAddWithoutValidation(names[i], (IEnumerable<string?>)values);
            }
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
        if ((int)proxyResponse.StatusCode is >= 300 and < 400)
        {
            return RedirectAsync(httpContext, proxyResponse);
        }
        if ((int)proxyResponse.StatusCode >= 400)
        {
            return NormalizeErrorAsync(httpContext, proxyResponse, cancellationToken);
        }
        // The headers were copied already: read the plain string rather than parsing the typed header again.
        if (httpContext.Response.ContentType is { } contentType && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            // The gateway may drop the usage chunk it asked for, or end a broken stream with an error event: the
            // engine's length (an upstream that sends one) would no longer be the body's.
            httpContext.Response.ContentLength = null;
            proxyResponse.Content = new SseGuardContent(proxyResponse.Content, backendName, client.StreamIdleTimeout, httpContext.RequestAborted,
                ClientApis.ApiOperation.Of(httpContext));
        }
        return copied;
    }

    // An engine never redirects an API call; one that does is misconfigured, or a different server: its Location is
    // not the client's business, and following it is not the gateway's.
    private ValueTask<bool> RedirectAsync(HttpContext httpContext, HttpResponseMessage proxyResponse)
    {
        ProxyLog.BackendRedirected(logger, backendName, (int)proxyResponse.StatusCode);
        var error = ErrorResponse.Create($"The backend '{backendName}' answered with a redirect ({(int)proxyResponse.StatusCode}), which the gateway does not follow.",
            "server_error", null, null);
        httpContext.Response.StatusCode = StatusCodes.Status502BadGateway;
        httpContext.Response.Headers.Remove("Location");
        Replace(httpContext.Response, proxyResponse, Serialize(httpContext, StatusCodes.Status502BadGateway, error));
        return ValueTask.FromResult(true);
    }

    private async ValueTask<bool> NormalizeErrorAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(proxyResponse.Content, cancellationToken);
        var status = (int)proxyResponse.StatusCode;
        var error = BackendErrorNormalizer.Normalize(status, body);
        if (error.Error.Message.Length > MaxErrorMessageLength)
        {
            ProxyLog.BackendErrorCut(logger, backendName, status, error.Error.Message[..Math.Min(error.Error.Message.Length, 4096)]);
            error.Error.Message = string.Concat(error.Error.Message.AsSpan(0, MaxErrorMessageLength), "…");
        }
        if (status is 404 or 405 && BackendErrorNormalizer.IsMissingRoute(body) && ClientApis.ApiOperation.Of(httpContext).EngineApi is not null)
        {
            // An engine too old for the API (its web framework knows no such route): not the client's mistake.
            status = StatusCodes.Status501NotImplemented;
            httpContext.Response.StatusCode = status;
            error = ErrorResponse.Create($"The backend '{backendName}' does not support {httpContext.Request.Method} {CanonicalPath.Of(httpContext)}.",
                "invalid_request_error", "unsupported_api");
        }
        Replace(httpContext.Response, proxyResponse, Serialize(httpContext, status, error));
        return true;
    }

    // OpenAI's envelope, or Anthropic's on the Messages API.
    private static byte[] Serialize(HttpContext httpContext, int status, ErrorResponse error) =>
        ClientApis.ApiOperation.IsAnthropic(httpContext)
            ? Errors.AnthropicErrors.Body(status, error.Error.Message)
            : JsonSerializer.SerializeToUtf8Bytes(error, OpenAIJsonContext.Relaxed.ErrorResponse);

    private static void Replace(HttpResponse response, HttpResponseMessage proxyResponse, byte[] json)
    {
        proxyResponse.Content.Dispose();
        proxyResponse.Content = new ByteArrayContent(json);
        response.Headers.Remove("Content-Encoding");
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
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
