namespace LlmHost.Gateway.Configuration;

/// <summary>
/// Reloads a file within a second of an edit: poll its stamp every 500 ms, wait until two polls agree (an editor may
/// still be writing), then reload. Polling, not inotify: bind mounts and editors that replace files do not always
/// raise file-system events.
/// </summary>
public abstract class FileReloadService : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected abstract string FilePath { get; }

    protected abstract void Reload();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poller = new FileChangePoller(FilePath);
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
            Reload();
        }
    }
}
