using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost.Hosting;
using LlmHost.AppHost.Hosting.Gpu;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;

namespace LlmHost.Tests.Unit.AppHost.Hosting;

/// <summary>vLLM and SGLang GPU containers in the app model: image, args, GPUs, volumes (no container engine needed).</summary>
[Trait("Category", "Unit")]
public class InferenceServerResourceTests
{
    private static BackendSettings Backend(string engine) => new()
    {
        Name = $"{engine}-x",
        Engine = engine,
        Mode = "container",
        Model = "Qwen/Qwen2.5-7B-Instruct",
        ServedModelName = "qwen",
        MaxModelLen = 8192,
        LoraModules = [new LoraModuleSettings { Name = "sql", Path = "/adapters/sql" }],
        Container = new ContainerSettings { Gpus = GpuSelection.Ids([0, 1]), TensorParallelSize = 2, GpuMemoryUtilization = 0.85, ExtraArgs = ["--enforce-eager"] },
    };

    [Fact]
    public async Task AddVllm_ContainerModel_ImageArgsGpusAndVolumes()
    {
        var builder = DistributedApplication.CreateBuilder();
        var token = builder.AddParameter("hf-token", secret: true);

        var vllm = builder.AddVllm("vllm-x", Backend("vllm"), token).Resource;

        var image = vllm.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal("docker.io/vllm/vllm-openai", image.Image);
        Assert.Equal("v0.11.0", image.Tag);
        Assert.Equal(
            ["Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "qwen", "--host", "0.0.0.0", "--port", "8000",
             "--tensor-parallel-size", "2", "--max-model-len", "8192", "--gpu-memory-utilization", "0.85",
             "--enable-lora", "--max-loras", "4", "--max-lora-rank", "16", "--lora-modules", "sql=/adapters/sql",
             "--enforce-eager"],
            await AppModel.ArgsOf(vllm));
        var runtimeArgs = await AppModel.RuntimeArgsOf(vllm);
        Assert.Equal(["--gpus", "\"device=0,1\"", "--ipc=host", "--shm-size=16g", "--label", "io.llmhost.engine=true"], runtimeArgs);
        var endpoint = vllm.Annotations.OfType<EndpointAnnotation>().Single();
        Assert.Equal(8000, endpoint.TargetPort);
        Assert.Equal("http", endpoint.Name);
        var mount = vllm.Annotations.OfType<ContainerMountAnnotation>().Single();
        Assert.Equal(InferenceServerBuilderExtensions.HuggingFaceCachePath, mount.Target);
        Assert.Equal(ContainerMountType.Volume, mount.Type);
        Assert.Equal("llmhost-hf-cache", mount.Source);
        Assert.Equal(ContainerLifetime.Persistent, vllm.Annotations.OfType<ContainerLifetimeAnnotation>().Single().Lifetime);
        var environment = await AppModel.EnvironmentOf(vllm);
        Assert.Equal("True", environment["VLLM_ALLOW_RUNTIME_LORA_UPDATING"]);
        Assert.Same(token.Resource, environment["HF_TOKEN"]);
        Assert.Contains(vllm.Annotations, a => a is HealthCheckAnnotation);
    }

    [Fact]
    public async Task AddSglang_ContainerModel_LaunchServerCommandAndMetrics()
    {
        var builder = DistributedApplication.CreateBuilder();
        var backend = Backend("sglang");
        backend.Container.Gpus = GpuSelection.All;
        backend.Container.HfCache = "/data/hf";

        var sglang = builder.AddSglang("sglang-x", backend).Resource;

        var image = sglang.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.Equal("docker.io/lmsysorg/sglang", image.Image);
        Assert.Equal("python3", sglang.Entrypoint);
        Assert.Equal(
            ["-m", "sglang.launch_server", "--model-path", "Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "qwen",
             "--host", "0.0.0.0", "--port", "30000", "--tp", "2", "--enable-metrics", "--context-length", "8192",
             "--mem-fraction-static", "0.85", "--enable-lora", "--max-loras-per-batch", "4", "--max-loaded-loras", "4",
             "--max-lora-rank", "16", "--lora-target-modules", "all", "--lora-paths", "sql=/adapters/sql", "--enforce-eager"],
            await AppModel.ArgsOf(sglang));
        Assert.Equal(["--gpus", "all", "--ipc=host", "--shm-size=16g", "--label", "io.llmhost.engine=true"], await AppModel.RuntimeArgsOf(sglang));
        Assert.Equal(30000, sglang.Annotations.OfType<EndpointAnnotation>().Single().TargetPort);
        var mount = sglang.Annotations.OfType<ContainerMountAnnotation>().Single();
        Assert.Equal(ContainerMountType.BindMount, mount.Type);
        Assert.Equal("/data/hf", mount.Source);
    }

    [Theory]
    [InlineData("all", false, new[] { "--gpus", "all" })]
    [InlineData("2", false, new[] { "--gpus", "\"device=0,1\"" })]
    [InlineData("device=3", false, new[] { "--gpus", "\"device=3\"" })]
    [InlineData("all", true, new[] { "--device", "nvidia.com/gpu=all" })]
    [InlineData("2", true, new[] { "--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=1" })]
    [InlineData("0,1", true, new[] { "--device", "nvidia.com/gpu=0", "--device", "nvidia.com/gpu=1" })]
    public void GpuArgs_EachSpecAndRuntime_SameDevicesOnDockerAndPodman(string gpus, bool podman, string[] expected)
    {
        Assert.Equal(expected, GpuBuilderExtensions.GpuArgs(GpuSelection.Parse(gpus)!, podman));
    }
}
