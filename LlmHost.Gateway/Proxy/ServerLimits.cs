using LlmHost.Backends.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Kestrel against slow and numerous clients (<c>gateway.server</c>, read at start): a connection cap, a minimum body
/// rate after a 5 s grace, a header deadline, no <c>Server</c> header, and no body larger than the gateway's limit.
/// </summary>
public sealed class ServerLimits(IOptions<LlmHostConfig> atStart) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        var gateway = atStart.Value.Gateway;
        var server = gateway.Server;
        options.AddServerHeader = false;
        options.Limits.MaxConcurrentConnections = server.MaxConnections;
        options.Limits.MaxConcurrentUpgradedConnections = server.MaxConnections;
        options.Limits.MinRequestBodyDataRate = server.MinRequestBodyRate > 0 ? new MinDataRate(server.MinRequestBodyRate, TimeSpan.FromSeconds(5)) : null;
        options.Limits.RequestHeadersTimeout = server.RequestHeadersTimeout;
        options.Limits.MaxRequestBodySize = gateway.MaxRequestBodyBytes + 1;
    }
}
