using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// Loads the adapters config.yaml declares (<c>lora_modules</c>) on every instance of their backend that lacks them —
/// an engine started without them, or restarted — once per instance, after the instance has listed its models.
/// An instance whose engine failed a load is tried again at the next round; one that refused it is not.
/// </summary>
public sealed class DeclaredAdapterLoader(AdapterCatalog catalog, AdapterLoader loader, BackendPool pool, RouteRegistry routes, ILogger<DeclaredAdapterLoader> logger)
    : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(2);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private volatile bool _catalogChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // config.yaml may declare more adapters after a reload: every instance is checked again.
        catalog.Changed += () => _catalogChanged = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (routes.DiscoveredOnce)
                {
                    await LoadMissingAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                AdaptersLog.DeclaredRoundFailed(logger, ex);
            }
            try
            {
                await Task.Delay(Round, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: each instance not yet done gets the declared adapters it lacks.</summary>
    public async Task LoadMissingAsync(CancellationToken cancellationToken)
    {
        if (_catalogChanged)
        {
            _catalogChanged = false;
            _done.Clear();
        }
        foreach (var instance in pool.All)
        {
            var identity = $"{instance.Name}@{instance.Address}";
            if (!instance.Reachable)
            {
                // Down now: when it comes back (a restarted engine), it is checked again.
                _done.Remove(identity);
                continue;
            }
            if (instance.Models.Count == 0 || _done.Contains(identity) || instance.Sleep != SleepState.Awake)
            {
                continue;
            }
            var transientFailure = false;
            foreach (var adapter in catalog.Adapters)
            {
                if (adapter.Source != "config" || !adapter.Backends.Contains(instance.Backend.Name) || instance.HoldsAdapter(adapter.Name))
                {
                    continue;
                }
                var result = await loader.LoadAsync(instance, adapter, cancellationToken);
                transientFailure |= !result.Succeeded && result.Status >= 500;
            }
            if (!transientFailure)
            {
                _done.Add(identity);
            }
        }
    }
}
