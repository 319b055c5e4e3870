using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Lifecycle;

/// <summary>
/// Every few seconds, for the instances of backends with <c>sleep.enabled</c>: asks the engine whether it sleeps
/// (it may have been put to sleep or woken elsewhere: the dashboard, an earlier run) and takes its word, and puts to
/// sleep the awake instances of backends with <c>sleep.idle_after</c> that have had no request for that long.
/// </summary>
public sealed class IdleSleepService(BackendPool pool, EngineSleeper sleeper, RouteRegistry routes, ILogger<IdleSleepService> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Round);
        do
        {
            if (routes.DiscoveredOnce)
            {
                await RunOnceAsync(stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var instance in pool.All)
        {
            if (!EngineSleeper.CanSleep(instance) || !instance.Reachable)
            {
                continue;
            }
            try
            {
                await sleeper.SyncAsync(instance, cancellationToken);
                if (instance.Backend.Sleep.IdleAfter is { } idleAfter && instance.Available && instance.Outstanding == 0 && instance.Idle >= idleAfter)
                {
                    await sleeper.SleepAsync(instance, instance.Backend.Sleep.Level, $"idle for {instance.Idle.TotalSeconds:0} s");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One instance's trouble must not stop the others' rounds, nor the gateway.
                LifecycleLog.RoundFailed(logger, instance.Name, ex);
            }
        }
    }
}
