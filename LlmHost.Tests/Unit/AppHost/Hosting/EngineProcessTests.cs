using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost.Hosting.HostProcess;
using LlmHost.Backends.Configuration;

namespace LlmHost.Tests.Unit.AppHost.Hosting;

/// <summary>Mode <c>process</c> in the app model: the engine's module run by the configured Python, private port, GPUs by environment.</summary>
[Trait("Category", "Unit")]
public sealed class EngineProcessTests
{
    private static BackendSettings Backend(string engine) => new()
    {
        Name = engine, Engine = engine, Mode = "process", Model = "Qwen/Qwen2.5-7B-Instruct", ServedModelName = "qwen",
        Process = new ProcessSettings { Python = "/opt/venvs/engine/bin/python", Environment = { ["NCCL_DEBUG"] = "WARN" } },
        Container = new ContainerSettings { Gpus = GpuSelection.Ids([2, 3]), TensorParallelSize = 2, GpuMemoryUtilization = 0.8, HfCache = "/data/hf" },
        Sleep = new SleepSettings { Enabled = engine == "vllm" },
        PriorityScheduling = engine == "vllm",
    };

    [Fact]
    public async Task AddEngineProcess_Vllm_ModuleArgsLoopbackPortAndEnvironment()
    {
        var builder = DistributedApplication.CreateBuilder();
        var token = builder.AddParameter("hf-token", secret: true);

        var process = builder.AddEngineProcess("vllm-0", Backend("vllm"), "/cfg", token).Resource;

        Assert.Equal("/opt/venvs/engine/bin/python", process.Command);
        Assert.Equal("/cfg", process.WorkingDirectory);
        var args = new List<object>();
        foreach (var annotation in process.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(new CommandLineArgsCallbackContext(args, CancellationToken.None));
        }
        Assert.Equal(["-m", "vllm.entrypoints.cli.main", "serve", "Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "qwen", "--host", "127.0.0.1", "--port"],
            args.Take(9).Select(a => a.ToString()));
        var port = Assert.IsType<EndpointReferenceExpression>(args[9]);
        Assert.Equal(EndpointProperty.TargetPort, port.Property);
        Assert.Equal(["--tensor-parallel-size", "2"], args.Skip(10).Take(2).Select(a => a.ToString()));
        Assert.Contains("--enable-sleep-mode", args.Select(a => a.ToString()));
        Assert.Equal(["--scheduling-policy", "priority"], args.Select(a => a.ToString()).SkipWhile(a => a != "--scheduling-policy").Take(2));

        var environment = await AppModel.EnvironmentOf(process);
        Assert.Equal("2,3", environment["CUDA_VISIBLE_DEVICES"]);
        Assert.Equal("PCI_BUS_ID", environment["CUDA_DEVICE_ORDER"]);
        Assert.Equal("/data/hf", environment["HF_HOME"]);
        Assert.Equal("WARN", environment["NCCL_DEBUG"]);
        Assert.Equal("1", environment["VLLM_SERVER_DEV_MODE"]);
        Assert.Same(token.Resource, environment["HF_TOKEN"]);
        Assert.Contains(process.Annotations, a => a is HealthCheckAnnotation);
    }

    [Fact]
    public async Task AddEngineProcess_Sglang_LaunchServerModule()
    {
        var builder = DistributedApplication.CreateBuilder();

        var process = builder.AddEngineProcess("sglang-0", Backend("sglang"), "/cfg").Resource;

        var args = await AppModel.ArgsOf(process);
        Assert.Equal(["-m", "sglang.launch_server", "--model-path", "Qwen/Qwen2.5-7B-Instruct"], args.Take(4));
        Assert.Contains("--tp", args);
        Assert.Contains("--mem-fraction-static", args);
    }

    [Fact]
    public async Task AddEngineProcess_CommandTemplate_OperatorsArgumentsWithLlmHostsValuesThenLora()
    {
        var builder = DistributedApplication.CreateBuilder();
        var backend = Backend("vllm");
        backend.Sleep.Enabled = false;
        backend.LoraModules.Add(new LoraModuleSettings { Name = "sql", Path = "/a/sql" });
        backend.CommandTemplate = "vllm serve {model} --served-model-name {served_model_name} --host {host} --port {port} --tensor-parallel-size {tensor_parallel_size} --kv-cache-dtype fp8";

        var process = builder.AddEngineProcess("vllm-0", backend, "/cfg").Resource;

        var args = new List<object>();
        foreach (var annotation in process.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(new CommandLineArgsCallbackContext(args, CancellationToken.None));
        }
        Assert.Equal(["-m", "vllm.entrypoints.cli.main", "serve", "Qwen/Qwen2.5-7B-Instruct", "--served-model-name", "qwen", "--host", "127.0.0.1", "--port"],
            args.Take(9).Select(a => a.ToString()));
        Assert.IsType<EndpointReferenceExpression>(args[9]);
        Assert.Equal(["--tensor-parallel-size", "2", "--kv-cache-dtype", "fp8", "--enable-lora", "--max-loras", "4", "--max-lora-rank", "16", "--lora-modules", "sql=/a/sql",
            "--scheduling-policy", "priority"],
            args.Skip(10).Select(a => a.ToString()));
    }
}
