using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>
/// The shipped config.yaml started once through Aspire.Hosting.Testing, containers off, with free ports for Nginx and
/// Prometheus. Shared by every test of <see cref="EndToEndTests"/>: a start and stop costs ~25 s and ~1.5 GiB.
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cancellation = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LlmHost_AppHost>(
            ["--LlmHost:Containers=off", "--LlmHost:EdgePort=0", "--LlmHost:PrometheusPort=0"], cancellation.Token);
        builder.Services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            logging.AddFilter("Aspire.Hosting", LogLevel.Warning);
        });
        App = await builder.BuildAsync(cancellation.Token);
        await App.StartAsync(cancellation.Token);
        foreach (var resource in (string[])["vllm-qwen", "sglang-llama", "gateway", "nginx", "prometheus"])
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}
