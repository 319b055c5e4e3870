namespace LlmHost.Backends.Configuration;

public sealed class MonitoringSettings
{
    public PrometheusSettings Prometheus { get; set; } = new();

    public GrafanaSettings Grafana { get; set; } = new();
}

public sealed class GrafanaSettings
{
    /// <summary>Grafana runs as a container only: without a container engine it is left out with a notice.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Port of Grafana's web UI; 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 3000;
}

public sealed class PrometheusSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Port of Prometheus' web UI and API; 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 9090;

    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);
}
