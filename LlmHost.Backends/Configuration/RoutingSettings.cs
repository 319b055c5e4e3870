namespace LlmHost.Backends.Configuration;

public sealed class RoutingSettings
{
    /// <summary>How often each backend's <c>/v1/models</c> is polled, e.g. <c>10s</c>.</summary>
    public string DiscoveryInterval { get; set; } = "10s";

    /// <summary>Manual routes: model name → backend names. Wins over discovery.</summary>
    public Dictionary<string, List<string>> ModelBackendMapping { get; set; } = new(StringComparer.Ordinal);
}
