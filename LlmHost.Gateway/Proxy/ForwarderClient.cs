using System.Diagnostics;
using System.Net;
using LlmHost.Gateway.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>The one HTTP client the forwarder sends with: no proxy, no decompression, no cookies, a connect timeout.</summary>
public sealed class ForwarderClient : IDisposable
{
    public ForwarderClient(GatewayConfig config)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = config.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        });
        // Engines speak HTTP/1.1 over cleartext; asking for HTTP/2 first would only add a negotiation step.
        RequestConfig = new ForwarderRequestConfig
        {
            ActivityTimeout = config.ActivityTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public HttpMessageInvoker Invoker { get; }

    public ForwarderRequestConfig RequestConfig { get; }

    public void Dispose() => Invoker.Dispose();
}
