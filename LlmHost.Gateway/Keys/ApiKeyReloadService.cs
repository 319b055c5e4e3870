using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Keys;

/// <summary>Reloads the key file within a second of an edit (poll every 500 ms, then wait for it to settle).</summary>
public sealed class ApiKeyReloadService(ApiKeyStore store) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poller = new FileChangePoller(store.Path);
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!poller.HasChanged())
            {
                continue;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken) && poller.HasChanged())
            {
            }
            store.TryReload();
        }
    }
}
