using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlmHost.AppHost.Hosting.Lifecycle;

/// <summary>
/// Shows whether an engine with <c>sleep.enabled</c> sleeps, in the Aspire dashboard: the resource's property
/// <c>llmhost.sleep</c> (<c>awake</c>, <c>sleeping</c>, <c>unknown</c>), from the engine's <c>GET /is_sleeping</c>
/// every few seconds once it is ready — whoever put it to sleep (the gateway when idle, the admin API, the dashboard).
/// SGLang has no such route: its state shows in the gateway's <c>GET /admin/status</c> and
/// <c>llmhost_gateway_backend_sleeping</c> only.
/// </summary>
public static class SleepStatusBuilderExtensions
{
    public const string PropertyName = "llmhost.sleep";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static IResourceBuilder<T> WithSleepStatus<T>(this IResourceBuilder<T> builder, BackendSettings backend) where T : IResourceWithEndpoints
    {
        if (!backend.Sleep.Enabled || backend.Profile.Sleep is not { IsSleepingPath: not null } sleep)
        {
            return builder;
        }
        var endpoint = builder.Resource.GetEndpoint("http");
        var apiKey = backend.ApiKeyFromEnvironment();
        return builder.OnResourceReady((resource, ready, cancellationToken) =>
        {
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            var stopping = ready.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => ReportAsync(resource, () => ReadAsync(endpoint.Url, apiKey, sleep, stopping), notifications, stopping), stopping);
            return Task.CompletedTask;
        });
    }

    internal static async Task<string> ReadAsync(string address, string? apiKey, EngineSleep sleep, CancellationToken cancellationToken)
    {
        try
        {
            return await EngineSleepClient.IsSleepingAsync(Http, address, apiKey, sleep, cancellationToken) switch
            {
                true => "sleeping",
                false => "awake",
                null => "unknown",
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "unknown";
        }
    }

    private static async Task ReportAsync(IResource resource, Func<Task<string>> read, ResourceNotificationService notifications, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var state = await read();
                // Every round: the orchestrator's own updates of the resource may replace its properties.
                await notifications.PublishUpdateAsync(resource, snapshot => snapshot with
                {
                    Properties = [.. snapshot.Properties.Where(p => p.Name != PropertyName), new ResourcePropertySnapshot(PropertyName, state)],
                });
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The AppHost stops.
        }
    }
}
