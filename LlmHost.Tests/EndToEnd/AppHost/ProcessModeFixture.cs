using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>The AppHost of <see cref="ProcessModeEndToEndTests"/>, started once for its tests (~20 s and a gigabyte each start).</summary>
public sealed class ProcessModeFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"llmhost-process-{Guid.NewGuid():N}");
    private readonly CapturingLoggerProvider _logs = new();
    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var simulator = Path.Combine(DotnetProcess.OutputOf("LlmHost.Simulator"), "LlmHost.Simulator.dll");
        var python = Path.Combine(_directory, "python");
        await File.WriteAllTextAsync(python, $$"""
            #!/bin/sh
            # Stands in for an environment's python running vLLM or SGLang: the simulator, given the same arguments.
            [ "$1" = "-m" ] || exit 2
            module="$2"; shift 2
            case "$module" in
              vllm.entrypoints.cli.main) [ "$1" = "serve" ] || exit 2; model="$2"; shift 2; exec dotnet '{{simulator}}' --engine vllm --model "$model" "$@" ;;
              sglang.launch_server) exec dotnet '{{simulator}}' --engine sglang "$@" ;;
            esac
            exit 2
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            backends:
              - { name: pv, engine: vllm, mode: process, model: org/pv, served_model_name: pv, process: { python: ./python }, container: { gpus: [0] }, sleep: { enabled: true } }
              - { name: ps, engine: sglang, mode: process, model: org/ps, served_model_name: ps, process: { python: ./python }, container: { gpus: [1] } }
            edge: { enabled: false, port: 0 }
            monitoring: { prometheus: { enabled: false }, grafana: { enabled: false } }
            logging: { dir: "{{_directory}}/logs" }
            """);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LlmHost_AppHost>(
            ["--LlmHost:Config=" + config, "--LlmHost:Containers=off", "--LlmHost:EdgePort=0", "--LlmHost:RunDirectory=" + Path.Combine(_directory, "run")],
            cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddProvider(_logs));
        App = await builder.BuildAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token);
        foreach (var resource in (string[])["pv", "ps", "gateway"])
        {
            try
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token);
            }
            catch (DistributedApplicationException ex)
            {
                var logs = new List<string>();
                await foreach (var batch in App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceLoggerService>().GetAllAsync(resource))
                {
                    logs.AddRange(batch.Select(l => l.Content));
                }
                throw new InvalidOperationException($"{ex.Message}\n{string.Join('\n', logs.TakeLast(30))}\n{string.Join('\n', _logs.Lines.TakeLast(20))}", ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
