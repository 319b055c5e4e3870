using LlmHost.Backends.Configuration;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.ControlPlane;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Active health and discovery. Every <c>routing.discovery_interval</c> it resolves the backends' endpoints again,
/// asks each instance for <c>/v1/models</c> and republishes the routing table; every
/// <c>routing.health_check_interval</c> it probes the engine's health path. A config reload refreshes the instances
/// at once.
/// An instance that fails either probe is unreachable (skipped by the selector) until one succeeds; it keeps its
/// last known models meanwhile, so a short outage gives 503s rather than 404s. Probes go through
/// <see cref="EngineControl"/> (timeouts, retries, a breaker per instance).
/// </summary>
public sealed class BackendProbeService(
    IOptionsMonitor<LlmHostConfig> config,
    BackendPool pool,
    RouteRegistry registry,
    EngineControl control,
    ILogger<BackendProbeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var reloads = config.OnChange(_ => RefreshSoon(stoppingToken));
        await Task.WhenAll(
            RepeatAsync("discovery", DiscoverOnceAsync, () => config.CurrentValue.Routing.DiscoveryInterval, stoppingToken),
            RepeatAsync("health check", CheckHealthOnceAsync, () => config.CurrentValue.Routing.HealthCheckInterval, stoppingToken));
    }

    // A config reload: the instances now, not at the next discovery round.
    private void RefreshSoon(CancellationToken cancellationToken) => _ = RefreshAsync(cancellationToken);

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await pool.RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RoutingLog.RefreshFailed(logger, ex.Message);
        }
    }

    // A round that fails in an unforeseen way is logged and the next one runs: one bad round must never end
    // discovery or health checks for the life of the process.
    private async Task RepeatAsync(string name, Func<CancellationToken, Task> round, Func<TimeSpan> interval, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await round(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                RoutingLog.RoundFailed(logger, name, ex);
            }
            try
            {
                await Task.Delay(interval(), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Resolves the instances, asks every one for its models, then publishes a new routing table.</summary>
    public async Task DiscoverOnceAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        var instances = pool.All;
        var probes = new Task[instances.Count];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = ProbeModelsAsync(instances[i], cancellationToken);
        }
        await Task.WhenAll(probes);
        var before = registry.Current.Count;
        var table = registry.Rebuild();
        registry.MarkDiscovered();
        if (table.Count != before)
        {
            RoutingLog.RoutingTableChanged(logger, table.Count);
        }
    }

    public async Task CheckHealthOnceAsync(CancellationToken cancellationToken)
    {
        var instances = pool.All;
        var probes = new Task[instances.Count];
        for (var i = 0; i < probes.Length; i++)
        {
            var instance = instances[i];
            probes[i] = ProbeAsync(instance, instance.Backend.Profile.HealthPath, (_, _) => Task.CompletedTask, cancellationToken);
        }
        await Task.WhenAll(probes);
    }

    private Task ProbeModelsAsync(BackendInstance instance, CancellationToken cancellationToken)
    {
        var asked = DateTime.UtcNow;
        return ProbeAsync(instance, "/v1/models", async (response, token) =>
        {
            var list = await response.Content.ReadFromJsonAsync(OpenAIJsonContext.Default.ModelList, token);
            instance.Listed(list?.Data ?? [], asked);
        }, cancellationToken);
    }

    private async Task ProbeAsync(BackendInstance instance, string path, Func<HttpResponseMessage, CancellationToken, Task> onSuccess, CancellationToken cancellationToken)
    {
        try
        {
            await control.ReadAsync(instance.Name, async token =>
            {
                using var request = instance.Get(path);
                using var response = await control.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                response.EnsureSuccessStatusCode();
                await onSuccess(response, token);
            }, cancellationToken);
            if (!instance.Reachable)
            {
                RoutingLog.BackendRecovered(logger, instance.Name);
            }
            instance.Reachable = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Text.Json.JsonException or Polly.ExecutionRejectedException
            && !cancellationToken.IsCancellationRequested)
        {
            if (instance.Reachable)
            {
                RoutingLog.BackendUnreachable(logger, instance.Name, instance.Address + path, ex.Message);
            }
            instance.Reachable = false;
        }
    }
}
