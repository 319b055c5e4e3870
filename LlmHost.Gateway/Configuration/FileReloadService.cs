namespace LlmHost.Gateway.Configuration;

/// <summary>
/// Reloads a file after an edit, once it has stopped changing: its stamp is polled every 250 ms, and the reload
/// happens when the stamp has stayed the same for <see cref="SettleTime"/> — so that a file an editor or a script is
/// still writing (a half-written config.yaml may well parse) is not applied. Writers that replace the file in one
/// step (write a temp file, rename it over) are applied as soon as the settle time passes; see
/// docs/CONFIGURATION.md. Polling, not inotify: bind mounts and editors that replace files do not always raise
/// file-system events.
/// </summary>
public abstract class FileReloadService : BackgroundService
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    protected abstract string FilePath { get; }

    protected abstract void Reload();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poller = new FileChangePoller(FilePath);
        using var timer = new PeriodicTimer(PollInterval);
        DateTime? changedAt = null;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (poller.HasChanged())
            {
                changedAt = DateTime.UtcNow;
            }
            else if (changedAt is { } last && DateTime.UtcNow - last >= SettleTime)
            {
                changedAt = null;
                Reload();
            }
        }
    }
}
