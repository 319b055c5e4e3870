using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Stack;

/// <summary>Everything the AppHost added, for the console summary and for tests.</summary>
public sealed class LlmHostStackResources
{
    public List<(BackendSettings Backend, string Name, DeploymentMode Mode)> Backends { get; } = [];
    public List<IResourceBuilder<ProjectResource>> Gateways { get; } = [];
    public IResource? Edge { get; set; }
    public IResource? Prometheus { get; set; }
    public IResource? Grafana { get; set; }

    /// <summary>The shared limit store of the gateway replicas (<c>limits.store: redis</c>), when it could run.</summary>
    public IResource? Redis { get; set; }

    /// <summary>One line per piece of the stack: how it runs, or why it was left out.</summary>
    public List<string> Notices { get; } = [];
}
