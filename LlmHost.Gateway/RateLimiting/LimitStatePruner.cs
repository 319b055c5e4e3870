using LlmHost.Gateway.Keys;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Forgets the in-process limit state of keys deleted from the key file (once they hold nothing), whenever a new
/// version of the file is in use: without this, every key ever used would keep its limiters until a restart.
/// </summary>
public sealed class LimitStatePruner(MemoryLimitStore store, IOptionsMonitor<ApiKeySnapshot> keys) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = keys.OnChange((snapshot, _) => store.Prune(snapshot.ById.ContainsKey));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription?.Dispose();
}
