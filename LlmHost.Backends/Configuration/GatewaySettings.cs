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

    public long MaxRequestBodyBytes => MaxRequestBodyMb * 1024L * 1024L;
}
