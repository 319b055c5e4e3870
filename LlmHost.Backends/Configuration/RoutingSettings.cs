namespace LlmHost.Backends.Configuration;

public sealed class RoutingSettings
{
    /// <summary>How often each backend's <c>/v1/models</c> is polled, e.g. <c>10s</c>.</summary>
    public string DiscoveryInterval { get; set; } = "10s";

    /// <summary>How often each backend's health path (vLLM and SGLang: <c>/health</c>) is probed.</summary>
    public string HealthCheckInterval { get; set; } = "5s";

    /// <summary>How long a backend is ejected after repeated failures (doubles on each repeat, up to 60 s).</summary>
    public string EjectionTime { get; set; } = "5s";

    /// <summary>Manual routes: model name → backend names. Wins over discovery.</summary>
    public Dictionary<string, List<string>> ModelBackendMapping { get; set; } = new(StringComparer.Ordinal);
}
