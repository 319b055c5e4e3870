using LlmHost.AppHost.Hosting.Grafana;
using LlmHost.AppHost.Hosting.Nginx;
using LlmHost.AppHost.Hosting.Prometheus;
using LlmHost.AppHost.Hosting.Redis;
using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Simulator;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost;

/// <summary>Everything the AppHost adds, for the console summary and for tests.</summary>
public sealed class LlmHostStackResources
{
    public List<(BackendSettings Backend, string Name, DeploymentMode Mode)> Backends { get; } = [];
    public List<IResourceBuilder<ProjectResource>> Gateways { get; } = [];
    public IResource? Edge { get; set; }
    public IResource? Prometheus { get; set; }
    public IResource? Grafana { get; set; }

    /// <summary>The shared limit store of the gateway replicas (<c>limits.store: redis</c>), when it could run.</summary>
    public IResource? Redis { get; set; }
    public List<string> Notices { get; } = [];
}

/// <summary>Turns config.yaml into Aspire resources: backends → gateway replicas → Nginx edge → Prometheus.</summary>
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
        AppHostOptions options, bool containersUsable)
    {
        var keysPath = Path.GetFullPath(options.Keys ?? Path.Combine(repositoryRoot, "config", "api_keys.json"), repositoryRoot);
        var stack = new LlmHostStackResources();
        var references = new List<(Action<IResourceBuilder<ProjectResource>> Reference, ScrapeJob? Job)>();
        IResourceBuilder<ParameterResource>? hfToken = null;

        foreach (var backend in config.Backends)
        {
            var (mode, reason) = BackendModeResolver.Resolve(backend, containersUsable, options.Containers);
            stack.Notices.Add($"backend '{backend.Name}' ({backend.Profile.Name}, {backend.EffectiveServedModelName}): {reason}");
            var endpoints = new List<EndpointReference>();
            var staticTargets = new List<string>();
            foreach (var name in backend.InstanceNames())
            {
                stack.Backends.Add((backend, name, mode));
                switch (mode)
                {
                    case DeploymentMode.Container:
                        hfToken ??= builder.AddParameter("hf-token", secret: true);
                        if (backend.EngineKind == BackendEngine.Vllm)
                        {
                            var vllm = builder.AddVllm(name, backend, hfToken);
                            endpoints.Add(vllm.Resource.PrimaryEndpoint);
                            references.Add((g => g.WithReference(vllm), null));
                        }
                        else
                        {
                            var sglang = builder.AddSglang(name, backend, hfToken);
                            endpoints.Add(sglang.Resource.PrimaryEndpoint);
                            references.Add((g => g.WithReference(sglang), null));
                        }
                        break;
                    case DeploymentMode.External:
                        var external = builder.AddExternalService(name, backend.Url!);
                        var uri = new Uri(backend.Url!);
                        staticTargets.Add($"{uri.Host}:{uri.Port}");
                        references.Add((g => g.WithReference(external), null));
                        break;
                    default:
                        var simulator = builder.AddSimulatedBackend(name, backend);
                        endpoints.Add(simulator.GetEndpoint("http"));
                        // The gateway's first discovery round should find the simulators up.
                        references.Add((g => g.WithReference(simulator).WaitFor(simulator), null));
                        break;
                }
            }
            references.Add((_ => { }, new ScrapeJob(backend.Name, endpoints, staticTargets, new Dictionary<string, string>
            {
                ["engine"] = backend.Profile.Name,
                ["mode"] = mode.ToString().ToLowerInvariant(),
            })));
        }

        var runDirectory = options.RunDirectory ?? Path.Combine(Path.GetTempPath(), "llmhost", $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        var limitStore = AddLimitStore(builder, config, options, containersUsable, stack, runDirectory);
        var edge = PlanEdge(config, options, containersUsable);
        var edgePort = NullIfZero(options.EdgePort ?? config.Edge.Port);
        var scrapedFromContainers = edge == EdgeKind.Container
            || (ExecutableLocator.Find("prometheus") is null && containersUsable && options.Containers != Switch.Off);
        for (var i = 0; i < config.Gateway.Replicas; i++)
        {
            var name = config.Gateway.Replicas == 1 ? GatewayName : $"{GatewayName}-{i + 1}";
            // Without an edge, the (first) gateway answers on the edge's port, so that the same URLs work.
            var port = edge == EdgeKind.None && i == 0 ? edgePort : null;
            // Not proxied when it faces clients: the gateway must see their addresses (for /metrics and the access log).
            var gateway = builder.AddProject<Projects.LlmHost_Gateway>(name)
                .WithHttpEndpoint(port: port, name: "http", isProxied: port is null)
                .WithHttpHealthCheck("/health")
                .WithArgs("--config", configPath, "--keys", keysPath);
            if (scrapedFromContainers)
            {
                gateway.WithArgs("--metrics-allow", ContainerNetworks);
            }
            limitStore(gateway);
            foreach (var (reference, _) in references)
            {
                reference(gateway);
            }
            stack.Gateways.Add(gateway);
        }

        AddEdge(builder, config, repositoryRoot, options, edge, edgePort, stack, runDirectory);
        var jobs = new List<ScrapeJob> { new(GatewayName, [.. stack.Gateways.Select(g => g.GetEndpoint("http"))], [], new Dictionary<string, string> { ["role"] = "gateway" }) };
        jobs.AddRange(references.Where(r => r.Job is not null).Select(r => r.Job!));
        AddPrometheus(builder, config, repositoryRoot, options, containersUsable, stack, runDirectory, jobs);
        AddGrafana(builder, config, repositoryRoot, options, containersUsable, stack);
        return stack;
    }

    /// <summary>
    /// Redis for <c>limits.store: redis</c>: a container when an engine runs, else Debian's redis-server; when neither
    /// can run, the replicas are told to limit in memory (each on its own), with a notice — never a failed start.
    /// </summary>
    private static Action<IResourceBuilder<ProjectResource>> AddLimitStore(IDistributedApplicationBuilder builder, LlmHostConfig config,
        AppHostOptions options, bool containersUsable, LlmHostStackResources stack, string runDirectory)
    {
        if (config.Limits.Store != "redis")
        {
            return _ => { };
        }
        if (containersUsable && options.Containers != Switch.Off)
        {
            var container = builder.AddRedis(RedisName);
            stack.Redis = container.Resource;
            stack.Notices.Add("redis: container, shared limit state of the gateway replicas");
            return gateway => gateway.WithReference(container).WaitFor(container);
        }
        if (ExecutableLocator.Find("redis-server") is { } redisPath)
        {
            var executable = builder.AddRedisExecutable(RedisName, redisPath, runDirectory);
            stack.Redis = executable.Resource;
            stack.Notices.Add($"redis: local executable {redisPath}, shared limit state of the gateway replicas");
            return gateway => gateway.WithRedisExecutable(executable);
        }
        stack.Notices.Add("redis: left out — not installed (apt-get install redis-server) and no container engine answers; "
            + "each gateway replica enforces the limits on its own");
        return gateway => gateway.WithArgs("--limits-store", "memory");
    }

    private static void AddGrafana(IDistributedApplicationBuilder builder, LlmHostConfig config, string root, AppHostOptions options,
        bool containersUsable, LlmHostStackResources stack)
    {
        if (options.Grafana == Switch.Off || (!config.Monitoring.Grafana.Enabled && options.Grafana != Switch.On))
        {
            stack.Notices.Add("grafana: switched off");
            return;
        }
        if (stack.Prometheus is not IResourceWithEndpoints prometheus)
        {
            stack.Notices.Add("grafana: left out — Prometheus is not running, so there is nothing to show");
            return;
        }
        if (!containersUsable || options.Containers == Switch.Off)
        {
            stack.Notices.Add("grafana: left out — it runs as a container and no container engine answers; the dashboards are in monitoring/grafana/dashboards");
            return;
        }
        var port = NullIfZero(config.Monitoring.Grafana.Port);
        var grafana = builder.AddGrafana(GrafanaName, Path.Combine(root, "monitoring", "grafana"), prometheus.GetEndpoint("http"), port);
        grafana.WaitFor(builder.CreateResourceBuilder(prometheus));
        stack.Grafana = grafana.Resource;
        stack.Notices.Add($"grafana: container, port {(port?.ToString() ?? "chosen at start")}, user admin, password in the '{GrafanaBuilderExtensions.PasswordParameterName}' parameter");
    }

    private enum EdgeKind
    {
        None,
        Executable,
        Container,
    }

    // Decided before the gateways are added: without an edge, a gateway takes the edge's port.
    private static EdgeKind PlanEdge(LlmHostConfig config, AppHostOptions options, bool containersUsable) =>
        options.Nginx == Switch.Off || (!config.Edge.Enabled && options.Nginx != Switch.On) ? EdgeKind.None
        : ExecutableLocator.Find("nginx") is not null ? EdgeKind.Executable
        : containersUsable && options.Containers != Switch.Off ? EdgeKind.Container
        : EdgeKind.None;

    private static void AddEdge(IDistributedApplicationBuilder builder, LlmHostConfig config, string root, AppHostOptions options, EdgeKind edge, int? port,
        LlmHostStackResources stack, string runDirectory)
    {
        var template = Path.Combine(root, "nginx", "nginx.conf.template");
        var settings = new NginxSettings(config.Gateway.MaxRequestBodyBytes, config.Edge.MetricsAllow);
        var where = port?.ToString() ?? "chosen at start";
        switch (edge)
        {
            case EdgeKind.Executable:
                var nginxPath = ExecutableLocator.Find("nginx")!;
                stack.Edge = builder.AddNginxExecutable(EdgeName, nginxPath, template, runDirectory, port, stack.Gateways, settings).Resource;
                stack.Notices.Add($"nginx: local executable {nginxPath}, listening on port {where}");
                break;
            case EdgeKind.Container:
                stack.Edge = builder.AddNginxContainer(EdgeName, template, runDirectory, port, stack.Gateways, settings).Resource;
                stack.Notices.Add($"nginx: not installed, running it as a container on port {where}");
                break;
            default:
                var why = config.Edge.Enabled && options.Nginx != Switch.Off ? "not installed (apt-get install nginx) and no container engine answers" : "switched off";
                stack.Notices.Add($"nginx: left out — {why}; the gateway answers clients itself on port {where}");
                break;
        }
    }

    private static void AddPrometheus(IDistributedApplicationBuilder builder, LlmHostConfig config, string root, AppHostOptions options,
        bool containersUsable, LlmHostStackResources stack, string runDirectory, List<ScrapeJob> jobs)
    {
        var settings = config.Monitoring.Prometheus;
        if (options.Prometheus == Switch.Off || (!settings.Enabled && options.Prometheus != Switch.On))
        {
            stack.Notices.Add("prometheus: switched off");
            return;
        }
        var port = NullIfZero(options.PrometheusPort ?? settings.Port);
        var template = Path.Combine(root, "monitoring", "prometheus", "prometheus.yml.template");
        if (ExecutableLocator.Find("prometheus") is { } prometheusPath)
        {
            var prometheus = builder.AddPrometheusExecutable(PrometheusName, prometheusPath, template, runDirectory, port, Duration.Format(settings.ScrapeInterval), jobs);
            WaitForTargets(prometheus, stack);
            stack.Prometheus = prometheus.Resource;
            stack.Notices.Add($"prometheus: local executable {prometheusPath}, listening on port {(port?.ToString() ?? "chosen at start")}");
        }
        else if (containersUsable && options.Containers != Switch.Off)
        {
            var prometheus = builder.AddPrometheusContainer(PrometheusName, template, runDirectory, port, Duration.Format(settings.ScrapeInterval), jobs);
            WaitForTargets(prometheus, stack);
            stack.Prometheus = prometheus.Resource;
            stack.Notices.Add("prometheus: not installed, running it as a container");
        }
        else
        {
            stack.Notices.Add("prometheus: left out — not installed (apt-get install prometheus) and no container engine answers");
        }
    }

    // Scrape targets' ports are only known once they started; waiting for the gateways (which wait for the simulators) suffices.
    private static void WaitForTargets<T>(IResourceBuilder<T> prometheus, LlmHostStackResources stack) where T : IResourceWithWaitSupport
    {
        foreach (var gateway in stack.Gateways)
        {
            prometheus.WaitFor(gateway);
        }
    }

    private static int? NullIfZero(int port) => port == 0 ? null : port;
}
