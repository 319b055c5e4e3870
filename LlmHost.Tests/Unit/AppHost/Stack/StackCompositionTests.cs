using LlmHost.AppHost.Hosting.Runtime;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost;
using LlmHost.AppHost.Stack;
using LlmHost.AppHost.Hosting.Prometheus;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Unit.AppHost.Stack;

/// <summary>How config.yaml becomes resources, for each mode and switch (app model only; nothing is started).</summary>
[Trait("Category", "Unit")]
public class StackCompositionTests
{
    private static LlmHostConfig Shipped => ConfigLoader.LoadFile(Path.Combine(RepositoryRoot.Path, "config", "config.yaml"));

    private static (IDistributedApplicationBuilder Builder, LlmHostStackResources Stack) Compose(
        LlmHostConfig config, bool containersUsable, AppHostOptions? options = null)
    {
        var builder = DistributedApplication.CreateBuilder();
        var stack = builder.AddLlmHostStack(config, "/cfg/config.yaml", RepositoryRoot.Path,
            options ?? new AppHostOptions { RunDirectory = Path.Combine(Path.GetTempPath(), "llmhost-model-test") },
            containersUsable ? ContainerRuntimeStatus.GpuReady() : ContainerRuntimeStatus.NotAnswering);
        return (builder, stack);
    }

    [Fact]
    public void ShippedConfig_NoContainerEngine_SimulatesBothBackends()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: false);

        var resources = builder.Resources.ToDictionary(r => r.Name);
        Assert.IsType<ProjectResource>(resources["vllm-qwen"]);
        Assert.IsType<ProjectResource>(resources["sglang-llama"]);
        Assert.IsType<ProjectResource>(resources["gateway"]);
        Assert.All(stack.Backends, b => Assert.Equal(DeploymentMode.Simulator, b.Mode));
        Assert.Contains(stack.Notices, n => n.Contains("'vllm-qwen'") && n.Contains("no container engine answers: simulating"));
        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
    }

    [Fact]
    public async Task ShippedConfig_Gateway_OpenAIBaseUrlAndTestChatCommandForTheFirstModel()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: false);

        var gateway = stack.Gateways.Single().Resource;
        var command = Assert.Single(gateway.Annotations.OfType<ResourceCommandAnnotation>(),
            c => c.Name == LlmHost.AppHost.Hosting.Gateway.GatewayDashboardBuilderExtensions.TestChatCommand);
        Assert.Equal("Send test chat", command.DisplayName);
        Assert.Contains("qwen2.5-7b-instruct", command.DisplayDescription);
        Assert.Equal(("OpenAI base URL (/v1)", "http://localhost:5000/v1"), await DisplayedUrlAsync(gateway));
        Assert.Contains(builder.Resources, r => r is ParameterResource { Name: "test-chat-key", Secret: true });
        // The edge carries it too, through itself (scripts/install-deps.sh installs nginx for the tests).
        var edgeCommand = Assert.Single(Assert.IsAssignableFrom<IResource>(stack.Edge).Annotations.OfType<ResourceCommandAnnotation>(),
            c => c.Name == LlmHost.AppHost.Hosting.Gateway.GatewayDashboardBuilderExtensions.TestChatCommand);
        Assert.Contains("through the edge (Nginx) and a gateway", edgeCommand.DisplayDescription);
    }

    // What the dashboard shows for a resource's http endpoint once it is allocated at localhost:5000.
    private static async Task<(string? Text, string Url)> DisplayedUrlAsync(IResourceWithEndpoints resource)
    {
        var urls = new List<ResourceUrlAnnotation> { new() { Url = "http://localhost:5000", Endpoint = resource.GetEndpoint("http") } };
        var context = new ResourceUrlsCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, urls);
        foreach (var callback in resource.Annotations.OfType<ResourceUrlsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return (urls[0].DisplayText, urls[0].Url);
    }

    [Fact]
    public async Task PrometheusAndEdge_Urls_SayWhatTheyAre()
    {
        var builder = DistributedApplication.CreateBuilder();
        var prometheus = builder.AddPrometheusExecutable("prometheus", "/usr/bin/prometheus", Path.GetTempPath(), 9090).Resource;
        var edge = LlmHost.AppHost.Hosting.Nginx.NginxBuilderExtensions.AddNginxExecutable(builder, "edge", "/usr/sbin/nginx", Path.GetTempPath(), 8080).Resource;

        Assert.Equal(("Prometheus targets", "http://localhost:5000/targets"), await DisplayedUrlAsync(prometheus));
        Assert.Equal(("OpenAI base URL through the edge (/v1)", "http://localhost:5000/v1"), await DisplayedUrlAsync(edge));
    }

    [Fact]
    public async Task ShippedConfig_SimulatorArgs_ImitateEngineModelAndAdapter()
    {
        var (builder, _) = Compose(Shipped, containersUsable: false);

        var vllmArgs = await AppModel.ArgsOf(builder.Resources.Single(r => r.Name == "vllm-qwen"));
        var sglangArgs = await AppModel.ArgsOf(builder.Resources.Single(r => r.Name == "sglang-llama"));

        Assert.Equal(["--engine", "vllm", "--model", "Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "qwen2.5-7b-instruct"], vllmArgs[..6]);
        Assert.Contains("sql-lora=/adapters/sql-lora", vllmArgs);
        Assert.Equal(["--engine", "sglang"], sglangArgs[..2]);
        Assert.Contains("--enable-metrics", sglangArgs);
    }

    [Fact]
    public void ShippedConfig_ContainerEngineAnswers_AutoPicksGpuContainers()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: true);

        Assert.IsType<VllmResource>(builder.Resources.Single(r => r.Name == "vllm-qwen"));
        Assert.IsType<SglangResource>(builder.Resources.Single(r => r.Name == "sglang-llama"));
        Assert.Contains(builder.Resources, r => r is ParameterResource { Name: "hf-token", Secret: true });
        Assert.All(stack.Backends, b => Assert.Equal(DeploymentMode.Container, b.Mode));
    }

    private const string ReplicasWithRedis = """
        gateway: { replicas: 2 }
        limits: { store: redis }
        backends:
          - { name: sim, engine: vllm, mode: simulator, model: m }
        """;

    [Fact]
    public async Task RedisStore_NoContainerEngine_RunsRedisServerForEveryReplica()
    {
        var (builder, stack) = Compose(ConfigLoader.Load(ReplicasWithRedis), containersUsable: false);

        var redis = Assert.IsType<LlmHost.AppHost.Hosting.Redis.RedisExecutableResource>(stack.Redis);
        Assert.Equal("redis", redis.Name);
        Assert.Equal(2, stack.Gateways.Count);
        foreach (var gateway in stack.Gateways)
        {
            var environment = await AppModel.EnvironmentOf(gateway.Resource);
            Assert.True(environment.ContainsKey("ConnectionStrings__redis"), $"{gateway.Resource.Name} lacks the Redis connection string");
            Assert.Contains(gateway.Resource.Annotations.OfType<WaitAnnotation>(), w => w.Resource == redis);
        }
        Assert.Contains(stack.Notices, n => n.StartsWith("redis: local executable", StringComparison.Ordinal));
        Assert.Contains("--save", await AppModel.ArgsOf(redis));
    }

    [Fact]
    public async Task RedisStore_ContainerEngineAnswers_UsesTheRedisContainer()
    {
        var (_, stack) = Compose(ConfigLoader.Load(ReplicasWithRedis), containersUsable: true);

        Assert.IsType<Aspire.Hosting.ApplicationModel.RedisResource>(stack.Redis);
        var environment = await AppModel.EnvironmentOf(stack.Gateways[0].Resource);
        Assert.True(environment.ContainsKey("ConnectionStrings__redis"));
    }

    [Fact]
    public async Task ShippedConfig_ContainerEngineAnswers_AddsProvisionedGrafanaWithSecretPassword()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: true);

        var grafana = Assert.IsType<LlmHost.AppHost.Hosting.Grafana.GrafanaResource>(stack.Grafana);
        var image = grafana.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal("docker.io/grafana/grafana", $"{image.Registry}/{image.Image}".TrimStart('/'));
        var mounts = grafana.Annotations.OfType<ContainerMountAnnotation>().ToDictionary(m => m.Target, m => m.Source);
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "monitoring", "grafana", "provisioning"), mounts["/etc/grafana/provisioning"]);
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "monitoring", "grafana", "dashboards"), mounts["/var/lib/grafana/dashboards"]);
        var environment = await AppModel.EnvironmentOf(grafana);
        Assert.True(environment.ContainsKey("PROMETHEUS_URL"));
        Assert.True(environment.ContainsKey("GF_SECURITY_ADMIN_PASSWORD"));
        Assert.Contains(builder.Resources, r => r is ParameterResource { Name: "grafana-admin-password", Secret: true });
        Assert.Contains(grafana.Annotations.OfType<WaitAnnotation>(), w => w.Resource == stack.Prometheus);
        var datasource = await File.ReadAllTextAsync(Path.Combine(mounts["/etc/grafana/provisioning"]!, "datasources", "prometheus.yaml"));
        Assert.Contains("uid: prometheus", datasource);
        Assert.Contains("url: $PROMETHEUS_URL", datasource);
    }

    [Fact]
    public void ShippedConfig_NoContainerEngine_LeavesGrafanaOutWithNotice()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: false);

        Assert.Null(stack.Grafana);
        Assert.DoesNotContain(builder.Resources, r => r.Name == "grafana");
        Assert.Contains(stack.Notices, n => n.StartsWith("grafana: left out", StringComparison.Ordinal));
    }

    [Fact]
    public void ContainerMode_ContainersSwitchedOff_FallsBackToSimulator()
    {
        var config = ConfigLoader.Load("backends:\n  - { name: big, engine: vllm, mode: container, model: m }\n");

        var (builder, stack) = Compose(config, containersUsable: false, new AppHostOptions { Containers = Switch.Off, Nginx = Switch.Off, Prometheus = Switch.Off });

        Assert.IsType<ProjectResource>(builder.Resources.Single(r => r.Name == "big"));
        Assert.Contains(stack.Notices, n => n.Contains("containers are switched off"));
    }

    [Fact]
    public void ExternalMode_BecomesExternalServiceReferencedByGateway()
    {
        var config = ConfigLoader.Load("backends:\n  - { name: gpu-box, engine: sglang, mode: external, model: m, url: 'http://10.1.2.3:30000' }\n");

        var (builder, _) = Compose(config, containersUsable: true, new AppHostOptions { Nginx = Switch.Off, Prometheus = Switch.Off });

        Assert.IsType<ExternalServiceResource>(builder.Resources.Single(r => r.Name == "gpu-box"));
    }

    [Fact]
    public async Task Replicas_EachGetsOwnResource_AndGatewayReferencesAll()
    {
        var config = ConfigLoader.Load("gateway: { replicas: 2 }\nbackends:\n  - { name: sim, engine: vllm, mode: simulator, model: m, replicas: 3 }\n");

        var (builder, stack) = Compose(config, containersUsable: false, new AppHostOptions { Nginx = Switch.Off, Prometheus = Switch.Off });

        Assert.Equal(["sim-1", "sim-2", "sim-3"], stack.Backends.Select(b => b.Name));
        Assert.Equal(["gateway-1", "gateway-2"], stack.Gateways.Select(g => g.Resource.Name));
        var gatewayArgs = await AppModel.ArgsOf(stack.Gateways[0].Resource);
        Assert.Equal(["--config", "/cfg/config.yaml", "--keys", Path.Combine(RepositoryRoot.Path, "config", "api_keys.json")], gatewayArgs);
        var references = stack.Gateways[0].Resource.Annotations.OfType<ResourceRelationshipAnnotation>().Select(a => a.Resource.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "sim-1", "sim-2", "sim-3" }, references);
    }

    [Fact]
    public async Task BackendReplicas_EveryGatewayFindsThemUnderTheBackendsName()
    {
        var config = ConfigLoader.Load("gateway: { replicas: 2 }\nbackends:\n  - { name: sim, engine: vllm, mode: simulator, model: m, replicas: 3 }\n");

        var (_, stack) = Compose(config, containersUsable: false, new AppHostOptions { Nginx = Switch.Off, Prometheus = Switch.Off });

        foreach (var gateway in stack.Gateways)
        {
            var environment = await AppModel.EnvironmentOf(gateway.Resource);
            for (var i = 0; i < 3; i++)
            {
                var endpoint = Assert.IsType<EndpointReference>(environment[$"services__sim__http__{i}"]);
                Assert.Equal($"sim-{i + 1}", endpoint.Resource.Name);
            }
            Assert.False(environment.ContainsKey("services__sim__http__3"));
        }
    }

    [Fact]
    public void EdgeAndPrometheus_SwitchedOff_AreLeftOutWithNotice()
    {
        var (builder, stack) = Compose(Shipped, containersUsable: false, new AppHostOptions { Nginx = Switch.Off, Prometheus = Switch.Off });

        Assert.DoesNotContain(builder.Resources, r => r.Name is "nginx" or "prometheus");
        Assert.Contains("nginx: left out — switched off; the gateway answers clients itself on port 8080", stack.Notices);
        Assert.Contains("prometheus: switched off", stack.Notices);
    }

    [Fact]
    public void EdgeLeftOut_GatewayListensOnTheEdgePort()
    {
        var (_, stack) = Compose(Shipped, containersUsable: false, new AppHostOptions { Nginx = Switch.Off, Prometheus = Switch.Off });

        var endpoint = Assert.Single(stack.Gateways[0].Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http");
        Assert.Equal(8080, endpoint.Port);
        // Facing clients itself, it must see their addresses, not Aspire's proxy's loopback one.
        Assert.False(endpoint.IsProxied);
    }

    [Fact]
    public async Task EdgeAndPrometheusAsExecutables_GatewayServesMetricsToLoopbackOnly()
    {
        var (_, stack) = Compose(Shipped, containersUsable: true, new AppHostOptions { Nginx = Switch.On, Prometheus = Switch.On });

        Assert.IsAssignableFrom<ExecutableResource>(stack.Prometheus); // scripts/install-deps.sh installs prometheus and nginx
        Assert.DoesNotContain("--metrics-allow", await AppModel.ArgsOf(stack.Gateways[0].Resource));
    }

    [Fact]
    public void EdgeRunning_GatewayKeepsAPortOfItsOwn()
    {
        var (_, stack) = Compose(Shipped, containersUsable: false, new AppHostOptions { Nginx = Switch.On, Prometheus = Switch.Off });

        Assert.NotNull(stack.Edge); // scripts/install-deps.sh installs nginx for the tests
        var endpoint = Assert.Single(stack.Gateways[0].Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "http");
        Assert.Null(endpoint.Port);
        Assert.True(endpoint.IsProxied);
    }

    [Fact]
    public void PrometheusRender_ListsEveryJobWithLabels()
    {
        var template = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "monitoring", "prometheus", "prometheus.yml.template"));
        var jobs = new List<ScrapeJob>
        {
            new("vllm-qwen", [], ["10.0.0.5:8000", "10.0.0.6:8000"], new Dictionary<string, string> { ["llmhost_engine"] = "vllm" }),
            new("empty", [], [], new Dictionary<string, string>()),
        };

        var yaml = PrometheusBuilderExtensions.Render(template, "5s", jobs);

        Assert.Contains("scrape_interval: 5s", yaml);
        Assert.Contains("  - job_name: 'vllm-qwen'\n    metrics_path: /metrics\n    static_configs:\n      - targets: ['10.0.0.5:8000', '10.0.0.6:8000']\n        labels:\n          llmhost_engine: 'vllm'", yaml);
        Assert.DoesNotContain("'empty'", yaml);
    }

    [Fact]
    public void ModeResolver_ExplainsEveryChoice()
    {
        var auto = new BackendSettings { Name = "a", Mode = "auto" };
        var noEngine = new ContainerRuntimeStatus(false, false, "docker", "'docker info' does not answer");

        Assert.Equal(DeploymentMode.Simulator, BackendModeResolver.Resolve(auto, noEngine, Switch.Auto).Mode);
        Assert.Equal(DeploymentMode.Container, BackendModeResolver.Resolve(auto, ContainerRuntimeStatus.GpuReady(), Switch.Auto).Mode);
        var container = BackendModeResolver.Resolve(new BackendSettings { Mode = "container" }, noEngine, Switch.Auto);
        Assert.Equal(DeploymentMode.Container, container.Mode);
        Assert.Contains("does not answer", container.Reason);
        Assert.Equal(DeploymentMode.External, BackendModeResolver.Resolve(new BackendSettings { Mode = "external", Url = "http://x" }, ContainerRuntimeStatus.GpuReady(), Switch.Auto).Mode);
    }

    [Fact]
    public void ModeResolver_EngineWithoutGpus_AutoSimulatesAndSaysWhyUnlessSwitchedOn()
    {
        var auto = new BackendSettings { Name = "a", Mode = "auto" };

        var (mode, reason) = BackendModeResolver.Resolve(auto, ContainerRuntimeStatus.WithoutGpus(), Switch.Auto);
        var (forced, forcedReason) = BackendModeResolver.Resolve(auto, ContainerRuntimeStatus.WithoutGpus(), Switch.On);

        Assert.Equal(DeploymentMode.Simulator, mode);
        Assert.Contains("no NVIDIA runtime and no CDI GPU devices", reason);
        Assert.Equal(DeploymentMode.Container, forced);
        Assert.Contains("LlmHost:Containers=on", forcedReason);
        Assert.Equal(DeploymentMode.Simulator, BackendModeResolver.Resolve(auto, ContainerRuntimeStatus.GpuReady(), Switch.Off).Mode);
    }

    [Fact]
    public void HasNvidiaCdiDevices_SpecNamingNvidiaGpus_True()
    {
        var directory = Directory.CreateTempSubdirectory("cdi-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "other.yaml"), "kind: vendor.com/fpga\n");
            Assert.False(ContainerRuntimeProbe.HasNvidiaCdiDevices([directory, "/nonexistent"]));
            File.WriteAllText(Path.Combine(directory, "nvidia.yaml"), "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: \"0\"\n");
            Assert.True(ContainerRuntimeProbe.HasNvidiaCdiDevices([directory]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
