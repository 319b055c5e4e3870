namespace LlmHost.Backends.Configuration;

/// <summary>Nginx in front of the gateway replicas.</summary>
public sealed class EdgeSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Port Nginx listens on; 0 lets the orchestrator pick one.</summary>
    public int Port { get; set; } = 8080;
}
