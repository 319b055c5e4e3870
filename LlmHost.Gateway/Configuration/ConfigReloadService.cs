namespace LlmHost.Gateway.Configuration;

/// <summary>Reloads config.yaml within a second of an edit (poll every 500 ms, then wait for the file to settle).</summary>
public sealed class ConfigReloadService(GatewayConfigProvider provider) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poller = new FileChangePoller(provider.Current.Path);
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!poller.HasChanged())
            {
                continue;
            }
            // An editor may still be writing: wait until two polls see the same stamp.
            while (await timer.WaitForNextTickAsync(stoppingToken) && poller.HasChanged())
            {
            }
            provider.TryReload();
        }
    }
}
