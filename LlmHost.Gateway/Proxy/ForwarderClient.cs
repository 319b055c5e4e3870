using System.Diagnostics;
using System.Net;
using LlmHost.Gateway.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The one HTTP client the forwarder sends with: no proxy, no decompression, no cookies, the configured connect
/// timeout (read at start), and a request config whose activity timeout follows config reloads.
/// </summary>
public sealed class ForwarderClient : IDisposable
{
    private readonly GatewayConfigProvider _config;
    private (GatewayConfig Config, ForwarderRequestConfig RequestConfig) _cached;

    public ForwarderClient(GatewayConfigProvider config)
    {
        _config = config;
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = config.Current.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public ForwarderRequestConfig RequestConfig
    {
        get
        {
            var current = _config.Current;
            var cached = _cached;
            if (ReferenceEquals(cached.Config, current))
            {
                return cached.RequestConfig;
            }
            // Engines speak HTTP/1.1 over cleartext; asking for HTTP/2 first would only add a negotiation step.
            var requestConfig = new ForwarderRequestConfig
            {
                ActivityTimeout = current.ActivityTimeout,
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            _cached = (current, requestConfig);
            return requestConfig;
        }
    }

    public void Dispose() => Invoker.Dispose();
}
