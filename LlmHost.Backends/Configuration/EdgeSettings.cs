namespace LlmHost.Backends.Configuration;

/// <summary>Nginx in front of the gateway replicas.</summary>
public sealed class EdgeSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Port Nginx listens on (or the gateway, when Nginx is left out); 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// Addresses or networks (Nginx <c>allow</c> syntax: <c>10.0.0.0/8</c>, <c>127.0.0.1</c>) that may read the
    /// gateway's <c>/metrics</c> through the edge; empty: nobody (Prometheus scrapes the gateways directly).
    /// </summary>
    public List<string> MetricsAllow { get; set; } = [];
}
