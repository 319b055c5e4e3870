namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    // Headers the gateway itself sets or must never pass on, whatever gateway.forward_headers says.
    private static readonly HashSet<string> NeverForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "Cookie", "Host", "Content-Length", "Content-Type", "Content-Encoding",
        "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect", "Accept-Encoding", "Forwarded",
        "X-Real-IP", "traceparent", "tracestate", "baggage",
    };

    private static void ValidateGateway(GatewaySettings gateway, Action<string, string> error)
    {
        for (var i = 0; i < gateway.TrustedProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(gateway.TrustedProxies[i], out _))
            {
                error($"gateway.trusted_proxies[{i}]", $"'{gateway.TrustedProxies[i]}' is not an IP address");
            }
        }
        CheckNetworks("gateway.metrics_allow", gateway.MetricsAllow, error);
        if (gateway.Replicas is < 1 or > MaxReplicas)
        {
            error("gateway.replicas", $"{gateway.Replicas} is out of range (1 to {MaxReplicas})");
        }
        ValidateBodyBounds(gateway, error);
        ValidateForwardHeaders(gateway.ForwardHeaders, error);
        if (gateway.OperatorFields is not ("refuse" or "remove"))
        {
            error("gateway.operator_fields", $"'{gateway.OperatorFields}' is not one of refuse, remove");
        }
        ValidateServer(gateway.Server, error);
        CheckDuration("gateway.connect_timeout", gateway.ConnectTimeout, TimeSpan.FromMilliseconds(10), error);
        CheckDuration("gateway.activity_timeout", gateway.ActivityTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration("gateway.key_rotation_overlap", gateway.KeyRotationOverlap, TimeSpan.Zero, error);
    }

    private static void ValidateBodyBounds(GatewaySettings gateway, Action<string, string> error)
    {
        if (gateway.MaxRequestBodyMb is < 1 or > 1024)
        {
            error("gateway.max_request_body_mb", $"{gateway.MaxRequestBodyMb} is out of range (1 to 1024)");
        }
        if (gateway.MaxBufferedBodyMb is < 1 or > 65536)
        {
            error("gateway.max_buffered_body_mb", $"{gateway.MaxBufferedBodyMb} is out of range (1 to 65536)");
        }
        if (gateway.MaxBufferedBodyPerKeyMb < gateway.MaxRequestBodyMb || gateway.MaxBufferedBodyPerKeyMb > gateway.MaxBufferedBodyMb)
        {
            error("gateway.max_buffered_body_per_key_mb",
                $"{gateway.MaxBufferedBodyPerKeyMb} must be at least max_request_body_mb ({gateway.MaxRequestBodyMb}) and at most max_buffered_body_mb ({gateway.MaxBufferedBodyMb})");
        }
    }

    private static void ValidateForwardHeaders(List<string> names, Action<string, string> error)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                error($"gateway.forward_headers[{i}]", $"'{name}' is not a header name (letters, digits, '-' and '_', at most 64)");
            }
            else if (NeverForwarded.Contains(name) || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                error($"gateway.forward_headers[{i}]", $"'{name}' is never forwarded: credentials, hop-by-hop and forwarding headers are the gateway's own");
            }
        }
    }

    private static void ValidateServer(ServerSettings server, Action<string, string> error)
    {
        if (server.MaxConnections is < 1 or > 1_000_000)
        {
            error("gateway.server.max_connections", $"{server.MaxConnections} is out of range (1 to 1000000)");
        }
        if (server.MinRequestBodyRate is < 0 or > 1_000_000_000)
        {
            error("gateway.server.min_request_body_rate", $"{server.MinRequestBodyRate} is out of range (0 to 1000000000 bytes per second; 0 switches the check off)");
        }
        CheckDuration("gateway.server.request_headers_timeout", server.RequestHeadersTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration("gateway.server.request_body_timeout", server.RequestBodyTimeout, TimeSpan.FromSeconds(1), error);
    }
}
