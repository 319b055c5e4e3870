namespace LlmHost.Gateway.RateLimiting;

/// <summary>Renews this replica's Redis leases every third of the lease TTL while their requests run.</summary>
public sealed class LeaseRenewalService(RedisLimitStore store, Configuration.GatewayConfigProvider config) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(config.Current.LeaseTtl / 3);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await store.RenewAsync();
        }
    }
}
