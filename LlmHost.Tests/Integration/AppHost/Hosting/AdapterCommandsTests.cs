using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost.Hosting.Lora;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmHost.Tests.Integration.AppHost.Hosting;

/// <summary>The dashboard's "Load adapter" and "Unload adapter" commands: present with LoRA, and what they do against a running engine.</summary>
[Trait("Category", "Integration")]
public sealed class AdapterCommandsTests
{
    private static BackendSettings Backend(string engine, bool lora = true) => new()
    {
        Name = engine, Engine = engine, Model = "org/base", ServedModelName = "base", Lora = new LoraSettings { Enabled = lora },
    };

    private static ResourceCommandAnnotation Command(IResource resource, string name) =>
        resource.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == name);

    [Fact]
    public void AddVllm_LoraEnabled_LoadAndUnloadCommandsEnabledWhileRunning()
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend("vllm")).Resource;

        var load = Command(vllm, AdapterCommandsBuilderExtensions.LoadCommand);
        var unload = Command(vllm, AdapterCommandsBuilderExtensions.UnloadCommand);

        Assert.Equal("Load adapter", load.DisplayName);
        Assert.Equal(["name", "path"], load.Arguments!.Select(a => a.Name));
        Assert.Equal(["name"], unload.Arguments!.Select(a => a.Name));
        Assert.NotNull(load.ValidateArguments);
        using var services = new ServiceCollection().BuildServiceProvider();
        Assert.Equal(ResourceCommandState.Enabled, load.UpdateState(new UpdateCommandStateContext
        {
            ResourceSnapshot = new CustomResourceSnapshot { ResourceType = "Container", Properties = [], State = KnownResourceStates.Running },
            Services = services,
        }));
        Assert.Equal(ResourceCommandState.Disabled, unload.UpdateState(new UpdateCommandStateContext
        {
            ResourceSnapshot = new CustomResourceSnapshot { ResourceType = "Container", Properties = [], State = KnownResourceStates.Starting },
            Services = services,
        }));
    }

    [Fact]
    public void AddSglang_LoraDisabled_NoAdapterCommands()
    {
        var builder = DistributedApplication.CreateBuilder();
        var sglang = builder.AddSglang("sglang-0", Backend("sglang", lora: false)).Resource;

        Assert.DoesNotContain(sglang.Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name.Contains("adapter"));
    }

    [Fact]
    public async Task LoadAndUnload_RunningEngine_CallTheEngineAndReportItsAnswer()
    {
        await using var engine = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--enable-lora", "--allow-runtime-lora");
        var vllm = PointedAt(engine);

        var loaded = await Execute(vllm, AdapterCommandsBuilderExtensions.LoadCommand, ("name", "ops-sql"), ("path", "/adapters/sql"));
        Assert.True(loaded.Success, loaded.Message);
        Assert.Contains("ops-sql", await EngineModels(engine));

        var again = await Execute(vllm, AdapterCommandsBuilderExtensions.LoadCommand, ("name", "ops-sql"), ("path", "/adapters/sql"));
        Assert.False(again.Success);
        Assert.Contains("already been loaded", again.Message);

        var unloaded = await Execute(vllm, AdapterCommandsBuilderExtensions.UnloadCommand, ("name", "ops-sql"));
        Assert.True(unloaded.Success, unloaded.Message);
        Assert.DoesNotContain("ops-sql", await EngineModels(engine));
    }

    [Fact]
    public async Task Load_EngineWithoutRuntimeLora_FailureSaysWhy()
    {
        await using var engine = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/base", "--served-model-name", "base", "--enable-lora");

        var result = await Execute(PointedAt(engine), AdapterCommandsBuilderExtensions.LoadCommand, ("name", "x"), ("path", "/x"));

        Assert.False(result.Success);
        Assert.Contains("started without runtime LoRA", result.Message);
    }

    [Fact]
    public async Task Load_BadName_RefusedBeforeAnyCall()
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend("vllm")).Resource;

        var result = await Execute(vllm, AdapterCommandsBuilderExtensions.LoadCommand, ("name", "base:evil"), ("path", "/x"));

        Assert.False(result.Success);
        Assert.Contains("no ':'", result.Message);
    }

    // A vLLM resource whose endpoint is allocated at the simulator's address, as Aspire does once it runs.
    private static VllmResource PointedAt(SimulatorHost engine)
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-0", Backend("vllm")).Resource;
        var endpoint = vllm.Annotations.OfType<EndpointAnnotation>().Single();
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, engine.Address.Host, engine.Address.Port);
        return vllm;
    }

    private static async Task<ExecuteCommandResult> Execute(IResource resource, string command, params (string Name, string Value)[] arguments)
    {
        var annotation = Command(resource, command);
        var inputs = annotation.Arguments!.Select(a => new InteractionInput { Name = a.Name, InputType = a.InputType, Value = arguments.Single(v => v.Name == a.Name).Value }).ToList();
        using var services = new ServiceCollection().BuildServiceProvider();
        return await annotation.ExecuteCommand(new ExecuteCommandContext
        {
            Services = services,
            ResourceName = resource.Name,
            CancellationToken = CancellationToken.None,
            Logger = NullLogger.Instance,
            Arguments = new InteractionInputCollection(inputs),
        });
    }

    private static async Task<List<string>> EngineModels(SimulatorHost engine)
    {
        var models = await Json.GetAsync(engine.Client, "/v1/models");
        return [.. models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }
}
