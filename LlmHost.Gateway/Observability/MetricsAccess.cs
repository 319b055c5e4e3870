using System.Net;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// Serves <c>/metrics</c> (key ids, models, usage per key) only to <c>gateway.metrics_allow</c> (loopback unless
/// configured otherwise) and to the networks of <c>--metrics-allow</c> (the AppHost's, for its containers). Others get
/// 404, as if there were nothing there. Read at start.
/// </summary>
public sealed class MetricsAccess(IReadOnlyList<string> allowed)
{
    private readonly IPNetwork[] _networks = [.. allowed.Select(a => IPNetwork.TryParse(a, out var n) ? n : new IPNetwork(IPAddress.Parse(a), IPAddress.Parse(a).GetAddressBytes().Length * 8))];

    public bool Allows(IPAddress? address)
    {
        if (_networks.Length == 0)
        {
            return true;
        }
        if (address is null)
        {
            return false;
        }
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in _networks)
        {
            if (network.Contains(normal))
            {
                return true;
            }
        }
        return false;
    }
}
