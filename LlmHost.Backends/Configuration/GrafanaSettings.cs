namespace LlmHost.Backends.Configuration;

public sealed class GrafanaSettings
{
    /// <summary>Grafana runs as a container only: without a container engine it is left out with a notice.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Port of Grafana's web UI; 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 3000;
}
