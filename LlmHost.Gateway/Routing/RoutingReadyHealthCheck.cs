using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmHost.Gateway.Routing;

/// <summary>Ready once the first discovery round has finished; reports how many models and healthy instances there are.</summary>
public sealed class RoutingReadyHealthCheck(RouteRegistry routes, BackendPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!routes.DiscoveredOnce)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("backends have not been asked for their models yet"));
        }
        var healthy = 0;
        foreach (var instance in pool.All)
        {
            if (instance.Healthy)
            {
                healthy++;
            }
        }
        var description = $"{routes.Current.Count} models, {healthy} of {pool.All.Count} backend instances healthy";
        return Task.FromResult(healthy == 0 && pool.All.Count > 0
            ? HealthCheckResult.Degraded(description)
            : HealthCheckResult.Healthy(description));
    }
}
