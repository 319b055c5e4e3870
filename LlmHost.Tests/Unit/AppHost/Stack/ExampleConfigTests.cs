using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost;
using LlmHost.AppHost.Hosting;
using LlmHost.AppHost.Hosting.HostProcess;
using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.AppHost.Stack;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Unit.AppHost.Stack;

/// <summary>
/// Every file of <c>config/examples/</c> (and the shipped config) loads, passes the start-up GPU check and builds its
/// app model on a machine whose container engine runs GPU containers; the devices, memory shares, mounts and flags
/// are the ones the example means.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ExampleConfigTests
{
    private static readonly string Examples = Path.Combine(RepositoryRoot.Path, "config", "examples");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Examples, "*.yaml").Order())
        {
            data.Add(Path.GetFileName(file));
        }
        data.Add("../config.yaml");
        return data;
    }

    private static (LlmHostConfig Config, IDistributedApplicationBuilder Builder, LlmHostStackResources Stack) Compose(string file)
    {
        var path = Path.GetFullPath(Path.Combine(Examples, file));
        var config = ConfigLoader.LoadFile(path);
        HostPaths.Resolve(config, Path.GetDirectoryName(path)!);
        var builder = DistributedApplication.CreateBuilder();
        var stack = builder.AddLlmHostStack(config, path, RepositoryRoot.Path,
            new AppHostOptions { RunDirectory = Path.Combine(Path.GetTempPath(), "llmhost-example-test") }, ContainerRuntimeStatus.GpuReady());
        return (config, builder, stack);
    }

    private static IResource Resource(IDistributedApplicationBuilder builder, string name) => builder.Resources.Single(r => r.Name == name);

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_LoadsPassesTheGpuCheckAndComposes(string file)
    {
        var (config, builder, _) = Compose(file);

        var onGpus = ConfigValidator.ValidateGpuPlacement(config, b => b.ModeKind is DeploymentMode.Auto or DeploymentMode.Container or DeploymentMode.Process);
        Assert.Empty(onGpus);
        Assert.All(config.Backends, b => Assert.Contains(builder.Resources, r => r.Name == b.InstanceNames()[0]));
    }

    [Fact]
    public async Task VllmGpuBox_TwoDevicesTensorParallelMountsAndLora()
    {
        var (_, builder, _) = Compose("vllm-gpu-box.yaml");
        var vllm = Assert.IsType<VllmResource>(Resource(builder, "vllm-qwen"));

        Assert.Equal(["--gpus", "\"device=0,1\"", "--ipc=host", "--shm-size=16g", "--label", "io.llmhost.engine=true"], await AppModel.RuntimeArgsOf(vllm));
        var args = await AppModel.ArgsOf(vllm);
        Assert.Equal("2", args[args.IndexOf("--tensor-parallel-size") + 1]);
        Assert.Equal("0.9", args[args.IndexOf("--gpu-memory-utilization") + 1]);
        Assert.Equal("64", args[args.IndexOf("--max-lora-rank") + 1]);
        Assert.Contains("sql-lora=/adapters/sql-lora", args);
        var mounts = vllm.Annotations.OfType<ContainerMountAnnotation>().ToDictionary(m => m.Target);
        Assert.Equal(("/srv/llm/adapters", true), (mounts[InferenceServerBuilderExtensions.AdaptersPath].Source, mounts[InferenceServerBuilderExtensions.AdaptersPath].IsReadOnly));
        Assert.Equal("/srv/llm/hf-cache", mounts[InferenceServerBuilderExtensions.HuggingFaceCachePath].Source);
    }

    [Fact]
    public async Task VllmHostProcesses_PythonOfTheEnvironmentAndDevicesByEnvironment()
    {
        var (_, builder, _) = Compose("vllm-host-processes.yaml");
        var process = Assert.IsType<EngineProcessResource>(Resource(builder, "vllm-qwen"));

        Assert.Equal("/opt/venvs/vllm/bin/python", process.Command);
        var environment = await AppModel.EnvironmentOf(process);
        Assert.Equal("0,1", environment["CUDA_VISIBLE_DEVICES"]);
        Assert.Equal("/srv/llm/hf-cache", environment["HF_HOME"]);
        Assert.Equal("INFO", environment["VLLM_LOGGING_LEVEL"]);
        Assert.Contains("sql-lora=/srv/llm/adapters/sql-lora", await AppModel.ArgsOf(process));
    }

    [Fact]
    public async Task SglangAdapters_SlotsAndAdaptersAtStart()
    {
        var (_, builder, _) = Compose("sglang-adapters.yaml");
        var sglang = Assert.IsType<SglangResource>(Resource(builder, "sglang-llama"));

        var args = await AppModel.ArgsOf(sglang);
        Assert.Equal("6", args[args.IndexOf("--max-loaded-loras") + 1]);
        Assert.Equal("0.85", args[args.IndexOf("--mem-fraction-static") + 1]);
        Assert.Equal(["support=/adapters/support", "tone-formal=/adapters/tone-formal"], args.Skip(args.IndexOf("--lora-paths") + 1).Take(2));
        Assert.Equal(["--gpus", "\"device=0\""], (await AppModel.RuntimeArgsOf(sglang)).Take(2));
    }

    [Fact]
    public async Task ReplicasAdaptersSleep_TwoReplicasShareOneDeviceAndSleep()
    {
        var (_, builder, _) = Compose("replicas-adapters-sleep.yaml");

        foreach (var name in new[] { "vllm-qwen-1", "vllm-qwen-2" })
        {
            var vllm = Assert.IsType<VllmResource>(Resource(builder, name));
            var args = await AppModel.ArgsOf(vllm);
            Assert.Equal("0.45", args[args.IndexOf("--gpu-memory-utilization") + 1]);
            Assert.Contains("--enable-sleep-mode", args);
            Assert.Equal("1", (await AppModel.EnvironmentOf(vllm))["VLLM_SERVER_DEV_MODE"]);
            Assert.Equal(["--gpus", "\"device=0\""], (await AppModel.RuntimeArgsOf(vllm)).Take(2));
        }
    }

    [Fact]
    public void ExternalServers_OnlyPointers()
    {
        var (_, builder, _) = Compose("external-servers.yaml");

        Assert.All(new[] { "gpu-a", "gpu-b", "gpu-c" }, name => Assert.IsType<ExternalServiceResource>(Resource(builder, name)));
        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource && r.Name.StartsWith("gpu", StringComparison.Ordinal));
    }

    [Fact]
    public void GatewayReplicasRedis_ThreeGatewaysAndTheLimitStore()
    {
        var (_, builder, stack) = Compose("gateway-replicas-redis.yaml");

        Assert.Equal(3, stack.Gateways.Count);
        Assert.NotNull(stack.Redis);
        Assert.Contains(builder.Resources, r => r.Name == "redis");
    }

    [Fact]
    public void GpuCheck_BrokenExample_ReportsWithLines()
    {
        var broken = File.ReadAllText(Path.Combine(Examples, "replicas-adapters-sleep.yaml")).Replace("gpu_memory_utilization: 0.45", "gpu_memory_utilization: 0.6");
        var (config, errors) = ConfigLoader.TryLoad(broken);
        Assert.Empty(errors);

        var placement = ConfigValidator.ValidateGpuPlacement(config!, _ => true);

        var error = Assert.Single(placement);
        Assert.Contains("take 1.2 of its memory together", error.Message);
        Assert.NotNull(error.Line);
    }
}
