using System.Net;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// The client's address: the connection's peer, or — only when that peer is a trusted proxy — the right-most
/// address in <c>X-Forwarded-For</c> that is not itself a trusted proxy (addresses further left are whatever the
/// client chose to send, so they are never believed).
/// </summary>
public sealed class ClientAddress(IReadOnlyList<IPAddress> trustedProxies)
{
    public string? Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null)
        {
            return null;
        }
        if (IsTrusted(peer) && context.Request.Headers["X-Forwarded-For"] is { Count: > 0 } forwarded)
        {
            var hops = string.Join(',', forwarded.ToArray()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = hops.Length - 1; i >= 0; i--)
            {
                if (!IPAddress.TryParse(hops[i], out var hop))
                {
                    break;
                }
                if (!IsTrusted(hop))
                {
                    return hop.ToString();
                }
            }
        }
        return (peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer).ToString();
    }

    private bool IsTrusted(IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var trusted in trustedProxies)
        {
            if (trusted.Equals(normal))
            {
                return true;
            }
        }
        return false;
    }
}
