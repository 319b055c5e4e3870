using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>
/// A backend in mode <c>process</c> run by the AppHost, with the simulator standing in for the engine: the configured
/// "python" is a script that takes the engine's module and arguments (<c>-m vllm.entrypoints.cli.main serve MODEL …</c>,
/// <c>-m sglang.launch_server --model-path …</c>) and starts the simulator with them. It must come up healthy on the
/// port Aspire gives it, be discovered by the gateway and serve through it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ProcessModeEndToEndTests : IAsyncLifetime
{
    private const string UserKey = "sk-llmhost-dev-LocalDevelopmentOnlyReplaceBeforeDeploying";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"llmhost-process-{Guid.NewGuid():N}");
    private readonly CapturingLoggerProvider _logs = new();
    private DistributedApplication _app = null!;

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
        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        foreach (var resource in (string[])["pv", "ps", "gateway"])
        {
            try
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token);
            }
            catch (DistributedApplicationException ex)
            {
                var logs = new List<string>();
                await foreach (var batch in _app.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceLoggerService>().GetAllAsync(resource))
                {
                    logs.AddRange(batch.Select(l => l.Content));
                }
                throw new InvalidOperationException($"{ex.Message}\n{string.Join('\n', logs.TakeLast(30))}\n{string.Join('\n', _logs.Lines.TakeLast(20))}", ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ProcessBackends_HealthyAndServingThroughTheGateway()
    {
        using var gateway = _app.CreateHttpClient("gateway", "http");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", UserKey);

        foreach (var model in new[] { "pv", "ps" })
        {
            using var response = await gateway.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var engine = _app.CreateHttpClient("pv", "http");
        Assert.Equal(HttpStatusCode.OK, (await engine.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task SleepingEngine_ShownInTheDashboardAndWokenByTheNextRequest()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await WaitForSleepPropertyAsync("awake", cancellation.Token);
        using var admin = _app.CreateHttpClient("gateway", "http");
        admin.DefaultRequestHeaders.Authorization = new("Bearer", "sk-llmhost-devadmin-LocalDevelopmentOnlyReplaceBeforeDeploying");

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/admin/backends/pv/sleep", null)).StatusCode);
        await WaitForSleepPropertyAsync("sleeping", cancellation.Token);

        using var user = _app.CreateHttpClient("gateway", "http");
        user.DefaultRequestHeaders.Authorization = new("Bearer", UserKey);
        using var response = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"pv","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitForSleepPropertyAsync("awake", cancellation.Token);
    }

    private Task WaitForSleepPropertyAsync(string state, CancellationToken cancellationToken) =>
        _app.ResourceNotifications.WaitForResourceAsync("pv", e => e.Snapshot.Properties.Any(p =>
            p.Name == LlmHost.AppHost.Hosting.Lifecycle.SleepStatusBuilderExtensions.PropertyName && Equals(p.Value, state)), cancellationToken);
}
