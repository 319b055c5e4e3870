using System.Diagnostics;
using System.Net;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The HTTP client the forwarder sends with (two alike but for tracing): no proxy, no decompression, no cookies, the
/// configured connect timeout (read at start), and a request config whose activity timeout follows config reloads.
/// </summary>
public sealed class ForwarderClient : IDisposable
{
    private readonly IOptionsMonitor<LlmHostConfig> _config;
    /// <summary>
    /// How much longer YARP's own activity timer runs for a stream than the gateway's idle timer on its body
    /// (<see cref="SseGuardContent"/>): the guard must fire first, so that it can end the stream with an error event;
    /// YARP's timer cancels the write to the client too, which would cut the connection instead.
    /// </summary>
    public static readonly TimeSpan StreamTimeoutMargin = TimeSpan.FromSeconds(5);

    private (LlmHostConfig Config, ForwarderRequestConfig Plain, ForwarderRequestConfig Stream) _cached;

    private readonly HttpMessageInvoker _traced;
    private readonly HttpMessageInvoker _plain;

    public ForwarderClient(IOptions<LlmHostConfig> atStart, IOptionsMonitor<LlmHostConfig> config)
    {
        _config = config;
        var connectTimeout = atStart.Value.Gateway.ConnectTimeout;
        _traced = new HttpMessageInvoker(Handler(connectTimeout, new ReverseProxyPropagator(DistributedContextPropagator.Current)));
        _plain = new HttpMessageInvoker(Handler(connectTimeout, propagator: null));
    }

    /// <summary>
    /// The client for a request: while a tracer records the gateway's span, one that makes a client span and sends
    /// its trace context on; otherwise one without that step — .NET's HTTP client would still start an activity, tag
    /// it and write its headers for every request, for a span nobody records (the request's own trace context goes
    /// on instead, see <see cref="BackendTransformer"/>).
    /// </summary>
    public HttpMessageInvoker Invoker => Observability.ExportedSpan.Current is not null ? _traced : _plain;

    private static SocketsHttpHandler Handler(TimeSpan connectTimeout, DistributedContextPropagator? propagator) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        // Null leaves the diagnostics step out of the handler: no activity, no headers.
        ActivityHeadersPropagator = propagator,
    };

    /// <summary>Longest silence on a stream's body before the gateway ends it with an error event (follows reloads).</summary>
    public TimeSpan StreamIdleTimeout => _config.CurrentValue.Gateway.ActivityTimeout;

    /// <summary>The operator's extra client headers for the engines, <c>gateway.forward_headers</c> (follows reloads).</summary>
    public List<string> ExtraForwardedHeaders => _config.CurrentValue.Gateway.ForwardHeaders;

    public ForwarderRequestConfig RequestConfig(bool stream)
    {
        var current = _config.CurrentValue;
        var cached = _cached;
        if (!ReferenceEquals(cached.Config, current))
        {
            var timeout = current.Gateway.ActivityTimeout;
            cached = (current, Create(timeout), Create(timeout + StreamTimeoutMargin));
            _cached = cached;
        }
        return stream ? cached.Stream : cached.Plain;
    }

    // Engines speak HTTP/1.1 over cleartext; asking for HTTP/2 first would only add a negotiation step.
    private static ForwarderRequestConfig Create(TimeSpan activityTimeout) => new()
    {
        ActivityTimeout = activityTimeout,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    public void Dispose()
    {
        _traced.Dispose();
        _plain.Dispose();
    }
}
