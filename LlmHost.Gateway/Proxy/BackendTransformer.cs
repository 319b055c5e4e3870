using System.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Copies the client's request as YARP does by default, but never forwards the client's credentials: the backend
/// gets its own API key, if it has one.
/// </summary>
public sealed class BackendTransformer(string? backendApiKey) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Authorization = backendApiKey is null ? null : new AuthenticationHeaderValue("Bearer", backendApiKey);
        proxyRequest.Headers.Remove("x-api-key");
        proxyRequest.Headers.Remove("Cookie");
    }
}
