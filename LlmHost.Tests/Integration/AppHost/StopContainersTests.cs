using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using LlmHost.AppHost.Hosting;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;

namespace LlmHost.Tests.Integration.AppHost;

/// <summary>
/// Persistent engine containers outlive a Ctrl+C: they get fixed names, and <c>--LlmHost:StopContainers=true</c>
/// (and the dashboard's "Remove container") removes them. The container engine here is a script standing in for
/// <c>docker</c> that records what it is asked.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StopContainersTests
{
    [Fact]
    public void AddVllm_Container_FixedNameAndRemoveCommand()
    {
        var builder = DistributedApplication.CreateBuilder();
        var vllm = builder.AddVllm("vllm-qwen", new BackendSettings { Name = "vllm-qwen", Engine = "vllm", Model = "m" }).Resource;

        Assert.Equal("llmhost-vllm-qwen", vllm.Annotations.OfType<ContainerNameAnnotation>().Single().Name);
        var remove = vllm.Annotations.OfType<ResourceCommandAnnotation>().Single(c => c.Name == InferenceServerBuilderExtensions.RemoveCommand);
        Assert.NotNull(remove.ConfirmationMessage);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StopContainersSwitch_ShippedConfig_RemovesEachEngineContainerAndExits()
    {
        var bin = Directory.CreateTempSubdirectory("fake-docker-").FullName;
        var calls = Path.Combine(bin, "calls.txt");
        var docker = Path.Combine(bin, "docker");
        // Lists one container an earlier config left, then records every call.
        await File.WriteAllTextAsync(docker, $"#!/bin/sh\necho \"$@\" >> '{calls}'\n[ \"$1\" = ps ] && echo llmhost-old-model\nexit 0\n");
        File.SetUnixFileMode(docker, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await using var apphost = DotnetProcess.Start("LlmHost.AppHost", ["--LlmHost:StopContainers=true"], RepositoryRoot.Path,
            new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}", ["ASPIRE_CONTAINER_RUNTIME"] = "docker" });

        Assert.True(await Eventually.TrueWithinAsync(() => apphost.HasExited, TimeSpan.FromSeconds(60)), string.Join('\n', apphost.Output));
        // The process can exit before its last lines are read.
        using var flushed = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await apphost.WaitForExitAsync(flushed.Token);
        Assert.Equal(["ps -a --filter label=io.llmhost.engine=true --format {{.Names}}", "rm -f llmhost-vllm-qwen", "rm -f llmhost-sglang-llama", "rm -f llmhost-old-model"],
            await File.ReadAllLinesAsync(calls));
        Assert.Contains("llmhost-vllm-qwen: stopped and removed", apphost.Output);
        Directory.Delete(bin, recursive: true);
    }
}
