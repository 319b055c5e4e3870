namespace LlmHost.Gateway.RateLimiting;

/// <summary>Renews this replica's Redis leases every third of the lease TTL while their requests run.</summary>
public sealed class LeaseRenewalService(RedisLimitStore store, Microsoft.Extensions.Options.IOptions<LlmHost.Backends.Configuration.LlmHostConfig> atStart) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(atStart.Value.Limits.LeaseTtl / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await store.RenewAsync();
        }
    }
}
