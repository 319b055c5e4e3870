using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Turns config.yaml into Aspire resources, stage by stage: backends → limit store → gateway replicas → Nginx edge →
/// Prometheus and Grafana. Where the edge and Prometheus run is decided first, because the gateways depend on it.
/// </summary>
public static class LlmHostStack
{
    public const string GatewayName = "gateway";
    public const string EdgeName = "nginx";
    public const string PrometheusName = "prometheus";
    public const string RedisName = "redis";
    public const string GrafanaName = "grafana";

    /// <summary>
    /// Where a container's connections to the host come from (Docker's and Podman's default networks): a gateway may
    /// serve its <c>/metrics</c> to them when Prometheus or the edge runs as a container.
    /// </summary>
    public const string ContainerNetworks = "172.16.0.0/12,192.168.0.0/16,10.0.0.0/8,fc00::/7";

    public static LlmHostStackResources AddLlmHostStack(
        this IDistributedApplicationBuilder builder, LlmHostConfig config, string configPath, string repositoryRoot,
        AppHostOptions options, ContainerRuntimeStatus runtime)
    {
        var context = new StackContext
        {
            Builder = builder,
            Config = config,
            ConfigPath = configPath,
            KeysPath = Path.GetFullPath(options.Keys ?? Path.Combine(repositoryRoot, "config", "api_keys.json"), repositoryRoot),
            RepositoryRoot = repositoryRoot,
            Options = options,
            Runtime = runtime,
            RunDirectory = options.RunDirectory ?? Path.Combine(Path.GetTempPath(), "llmhost", $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"),
        };
        context.Edge = EdgeStage.Plan(context);
        context.Prometheus = MonitoringStage.PlanPrometheus(context);

        BackendsStage.Add(context);
        LimitStoreStage.Add(context);
        GatewaysStage.Add(context);
        EdgeStage.Add(context);
        MonitoringStage.Add(context);
        return context.Resources;
    }

    /// <summary>Whether a piece is wanted: its AppHost switch, else its <c>enabled</c> in config.yaml.</summary>
    internal static bool Wanted(Switch option, bool enabledInConfig) => option switch
    {
        Switch.On => true,
        Switch.Off => false,
        _ => enabledInConfig,
    };
}
