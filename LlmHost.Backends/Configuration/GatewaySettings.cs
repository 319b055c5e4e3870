namespace LlmHost.Backends.Configuration;

public sealed class GatewaySettings
{
    /// <summary>Largest request body the gateway accepts, in MiB; larger bodies get 413.</summary>
    public int MaxRequestBodyMb { get; set; } = 16;

    /// <summary>Gateway processes the AppHost runs behind Nginx.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>How long to wait for a backend's TCP connection before trying another candidate.</summary>
    public string ConnectTimeout { get; set; } = "5s";

    /// <summary>Longest silence allowed on a backend response (time to first byte and between chunks).</summary>
    public string ActivityTimeout { get; set; } = "300s";

    /// <summary>How long a rotated key's old secret keeps working, unless the rotate request says otherwise.</summary>
    public string KeyRotationOverlap { get; set; } = "1h";

    /// <summary>
    /// Addresses whose <c>X-Forwarded-For</c> is believed (the Nginx edge runs on the same machine): the access log's
    /// client address comes from that header only when the connection comes from one of these.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = ["127.0.0.1", "::1"];

    public long MaxRequestBodyBytes => MaxRequestBodyMb * 1024L * 1024L;
}
