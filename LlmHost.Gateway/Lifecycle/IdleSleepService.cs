using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Lifecycle;

/// <summary>
/// Every few seconds: learns which engines sleep already (once per instance), and puts to sleep the awake instances
/// of backends with <c>sleep.idle_after</c> that have had no request for that long.
/// </summary>
public sealed class IdleSleepService(BackendPool pool, EngineSleeper sleeper, RouteRegistry routes) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(2);
    private readonly HashSet<BackendInstance> _synced = [];

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
            if (_synced.Add(instance))
            {
                await sleeper.SyncAsync(instance, cancellationToken);
            }
            if (instance.Backend.Sleep.IdleAfter is { } idleAfter && instance.Available && instance.Outstanding == 0 && instance.Idle >= idleAfter)
            {
                await sleeper.SleepAsync(instance, instance.Backend.Sleep.Level, $"idle for {instance.Idle.TotalSeconds:0} s", cancellationToken);
            }
        }
    }
}
