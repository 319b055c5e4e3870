using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost.Hosting.Lifecycle;
using LlmHost.AppHost.Hosting.Simulator;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmHost.Tests.Integration.AppHost.Hosting;

/// <summary>Sleep mode in the app model: the engine's flag and environment, and the dashboard's Sleep and Wake commands.</summary>
[Trait("Category", "Integration")]
public sealed class SleepCommandsTests
{
    private static BackendSettings Backend(bool sleep) => new()
    {
        Name = "vllm", Engine = "vllm", Model = "org/base", ServedModelName = "base", Lora = new LoraSettings { Enabled = false },
        Sleep = new SleepSettings { Enabled = sleep },
    };

    [Fact]
    public async Task AddVllm_SleepEnabled_FlagDevModeAndCommands()
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend(sleep: true)).Resource;

        Assert.Contains("--enable-sleep-mode", await AppModel.ArgsOf(vllm));
        Assert.Equal("1", (await AppModel.EnvironmentOf(vllm))["VLLM_SERVER_DEV_MODE"]);
        var names = vllm.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList();
        Assert.Contains(SleepCommandsBuilderExtensions.SleepCommand, names);
        Assert.Contains(SleepCommandsBuilderExtensions.WakeCommand, names);
    }

    [Fact]
    public async Task AddVllm_SleepOff_NothingOfIt()
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend(sleep: false)).Resource;

        Assert.DoesNotContain("--enable-sleep-mode", await AppModel.ArgsOf(vllm));
        Assert.False((await AppModel.EnvironmentOf(vllm)).ContainsKey("VLLM_SERVER_DEV_MODE"));
        Assert.DoesNotContain(vllm.Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name.Contains("sleep") || c.Name.Contains("wake"));
    }

    [Fact]
    public async Task AddSimulatedBackend_SglangSleepEnabled_MemorySaverWithWeightsBackupAndCommands()
    {
        var builder = DistributedApplication.CreateBuilder();
        var backend = Backend(sleep: true);
        (backend.Name, backend.Engine, backend.Mode) = ("sglang", "sglang", "simulator");
        var simulator = builder.AddSimulatedBackend("sglang-0", backend).Resource;

        var args = await AppModel.ArgsOf(simulator);
        Assert.Contains("--enable-memory-saver", args);
        Assert.Contains("--enable-weights-cpu-backup", args);
        Assert.DoesNotContain("--enable-sleep-mode", args);
        Assert.False((await AppModel.EnvironmentOf(simulator)).ContainsKey("VLLM_SERVER_DEV_MODE"));
        var names = simulator.Annotations.OfType<ResourceCommandAnnotation>().Select(c => c.Name).ToList();
        Assert.Contains(SleepCommandsBuilderExtensions.SleepCommand, names);
        Assert.Contains(SleepCommandsBuilderExtensions.WakeCommand, names);
    }

    [Fact]
    public async Task AddSimulatedBackend_SleepEnabled_SleepModeAndWakeTime()
    {
        var builder = DistributedApplication.CreateBuilder();
        var backend = Backend(sleep: true);
        backend.Mode = "simulator";
        var simulator = builder.AddSimulatedBackend("vllm-0", backend).Resource;

        var args = await AppModel.ArgsOf(simulator);
        Assert.Contains("--enable-sleep-mode", args);
        Assert.Equal("300", args[args.IndexOf("--wake-ms") + 1]);
    }

    [Fact]
    public async Task SleepAndWakeCommands_RunningEngine_SleepAndWakeIt()
    {
        await using var engine = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--enable-sleep-mode", "--server-dev-mode");
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend(sleep: true)).Resource;
        var endpoint = vllm.Annotations.OfType<EndpointAnnotation>().Single();
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, engine.Address.Host, engine.Address.Port);
        var state = engine.Get<LlmHost.Simulator.Engine.SleepState>();

        var slept = await Execute(vllm, SleepCommandsBuilderExtensions.SleepCommand);
        Assert.True(slept.Success, slept.Message);
        Assert.True(state.IsSleeping);

        var woken = await Execute(vllm, SleepCommandsBuilderExtensions.WakeCommand);
        Assert.True(woken.Success, woken.Message);
        Assert.False(state.IsSleeping);
    }

    private static async Task<ExecuteCommandResult> Execute(IResource resource, string command)
    {
        var annotation = resource.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == command);
        using var services = new ServiceCollection().BuildServiceProvider();
        return await annotation.ExecuteCommand(new ExecuteCommandContext
        {
            Services = services,
            ResourceName = resource.Name,
            CancellationToken = CancellationToken.None,
            Logger = NullLogger.Instance,
            Arguments = new InteractionInputCollection([]),
        });
    }
}
