namespace LlmHost.Backends.Configuration;

public sealed class MonitoringSettings
{
    public PrometheusSettings Prometheus { get; set; } = new();

    public GrafanaSettings Grafana { get; set; } = new();
}
