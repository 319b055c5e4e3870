namespace LlmHost.Gateway.Configuration;

/// <summary>
/// Reloads every <see cref="IReloadableFile"/> after an edit, once it has stopped changing: stamps are polled every
/// 250 ms, and a file is reloaded when its stamp has stayed the same for <see cref="SettleTime"/> — so that a file an
/// editor or a script is still writing (a half-written config.yaml may well parse) is not applied. Writers that replace
/// the file in one step (write a temp file, rename it over) are applied as soon as the settle time passes; see
/// docs/CONFIGURATION.md. Polling, not inotify: bind mounts and editors that replace files do not always raise
/// file-system events.
/// </summary>
public sealed class FileReloadService(IEnumerable<IReloadableFile> files) : BackgroundService
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = files.Select(file => (File: file, Poller: new FileChangePoller(file.Path), ChangedAt: (DateTime?)null)).ToArray();
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            for (var i = 0; i < watched.Length; i++)
            {
                ref var entry = ref watched[i];
                if (entry.Poller.HasChanged())
                {
                    entry.ChangedAt = DateTime.UtcNow;
                }
                else if (entry.ChangedAt is { } last && DateTime.UtcNow - last >= SettleTime)
                {
                    entry.ChangedAt = null;
                    entry.File.TryReload();
                }
            }
        }
    }
}
