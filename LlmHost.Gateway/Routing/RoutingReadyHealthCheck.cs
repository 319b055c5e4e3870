using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmHost.Gateway.Routing;

/// <summary>Ready once the first discovery round has finished and at least one backend instance is reachable.</summary>
public sealed class RoutingReadyHealthCheck(RouteRegistry routes, BackendPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!routes.DiscoveredOnce)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("backends have not been asked for their models yet"));
        }
        var available = 0;
        foreach (var instance in pool.All)
        {
            if (instance.Available || instance.Wakeable)
            {
                available++;
            }
        }
        var description = $"{routes.Current.Count} models, {available} of {pool.All.Count} backend instances available";
        return Task.FromResult(available > 0 ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy(description));
    }
}
