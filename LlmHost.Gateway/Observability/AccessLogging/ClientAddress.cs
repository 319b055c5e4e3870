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
            // Right to left over every header value and every comma-separated hop, without splitting into strings.
            for (var v = forwarded.Count - 1; v >= 0; v--)
            {
                var value = forwarded[v].AsSpan();
                while (value.Length > 0)
                {
                    var comma = value.LastIndexOf(',');
                    var hopText = value[(comma + 1)..].Trim();
                    value = comma < 0 ? [] : value[..comma];
                    if (hopText.IsEmpty)
                    {
                        continue;
                    }
                    if (!IPAddress.TryParse(hopText, out var hop))
                    {
                        return Normal(peer).ToString();
                    }
                    if (!IsTrusted(hop))
                    {
                        return Normal(hop).ToString();
                    }
                }
            }
        }
        return Normal(peer).ToString();
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private bool IsTrusted(IPAddress address)
    {
        var normal = Normal(address);
        // By index: a foreach over the interface would allocate an enumerator for every request.
        for (var i = 0; i < trustedProxies.Count; i++)
        {
            if (trustedProxies[i].Equals(normal))
            {
                return true;
            }
        }
        return false;
    }
}
