using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.AppHost.Hosting.Prometheus;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// What the stages of <see cref="LlmHostStack"/> share: the inputs (config, paths, switches, whether containers can
/// run), the decisions taken before any resource is added (where the edge and Prometheus run — the gateways depend on
/// both), and what earlier stages leave for later ones (how gateways reach the backends and the limit store, what
/// Prometheus scrapes).
/// </summary>
public sealed class StackContext
{
    public required IDistributedApplicationBuilder Builder { get; init; }
    public required LlmHostConfig Config { get; init; }
    public required string ConfigPath { get; init; }
    public required string KeysPath { get; init; }
    public required string RepositoryRoot { get; init; }
    public required AppHostOptions Options { get; init; }

    /// <summary>A container engine answered when the AppHost started.</summary>
    /// <summary>What the container engine can do here (asked once, at start).</summary>
    public required ContainerRuntimeStatus Runtime { get; init; }

    /// <summary>A container engine answers: containers (edge, Prometheus, Grafana, engines) can run.</summary>
    public bool ContainersUsable => Runtime.Answers;

    /// <summary>Where generated nginx.conf / prometheus.yml and Prometheus' data go.</summary>
    public required string RunDirectory { get; init; }

    public bool ContainersAllowed => ContainersUsable && Options.Containers != Switch.Off;

    public PlacementChoice Edge { get; set; } = PlacementChoice.LeftOut("not planned");
    public PlacementChoice Prometheus { get; set; } = PlacementChoice.LeftOut("not planned");

    /// <summary>The edge's port (null: any free one); the first gateway takes it when the edge is left out.</summary>
    public int? EdgePort => NullIfZero(Options.EdgePort ?? Config.Edge.Port);

    /// <summary>What every gateway replica is given: the backends' addresses, the limit store's connection string.</summary>
    public List<Action<IResourceBuilder<ProjectResource>>> GatewayWiring { get; } = [];

    /// <summary>What Prometheus scrapes besides the gateways: one job per backend.</summary>
    public List<ScrapeJob> BackendScrapeJobs { get; } = [];

    /// <summary>The model and key of the dashboard's "Send test chat" command (on the gateways and the edge); null without backends.</summary>
    public (string Model, IResourceBuilder<ParameterResource> Key)? TestChat { get; set; }

    public LlmHostStackResources Resources { get; } = new();

    public void Notice(string text) => Resources.Notices.Add(text);

    public static int? NullIfZero(int port) => port == 0 ? null : port;
}
