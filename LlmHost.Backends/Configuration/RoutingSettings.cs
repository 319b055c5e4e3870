namespace LlmHost.Backends.Configuration;

public sealed class RoutingSettings
{
    /// <summary>How often each backend's <c>/v1/models</c> is polled, e.g. <c>10s</c>.</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each backend's health path (vLLM and SGLang: <c>/health</c>) is probed.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a backend is ejected after repeated failures (doubles on each repeat, up to 60 s).</summary>
    public TimeSpan EjectionTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Manual routes: model name → backend names. Wins over discovery.</summary>
    public Dictionary<string, List<string>> ModelBackendMapping { get; set; } = new(StringComparer.Ordinal);
}
