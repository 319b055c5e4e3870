namespace LlmHost.Backends.Configuration;

public sealed class PrometheusSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Port of Prometheus' web UI and API; 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 9090;

    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
