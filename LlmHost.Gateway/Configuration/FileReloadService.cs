namespace LlmHost.Gateway.Configuration;

/// <summary>
/// Reloads every <see cref="IReloadableFile"/> after an edit, once it has stopped changing: stamps are polled every
/// 250 ms, and a file is reloaded when its stamp has stayed the same for <see cref="SettleTime"/> — so that a file an
/// editor or a script is still writing (a half-written config.yaml may well parse) is not applied. Writers that replace
/// the file in one step (write a temp file, rename it over) are applied as soon as the settle time passes; a file that
/// never stops changing (a script touching it every half second) is reloaded <see cref="MaxWait"/> after its first
/// change all the same, so that it cannot hold back a change forever; see docs/CONFIGURATION.md. Polling, not inotify: bind mounts and editors that replace files do not always raise
/// file-system events.
/// </summary>
public sealed class FileReloadService(IEnumerable<IReloadableFile> files) : BackgroundService
{
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = files.Select(file => (File: file, Poller: new FileChangePoller(file.Path), FirstChange: (DateTime?)null, LastChange: DateTime.MinValue)).ToArray();
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < watched.Length; i++)
            {
                ref var entry = ref watched[i];
                if (entry.Poller.HasChanged())
                {
                    entry.FirstChange ??= now;
                    entry.LastChange = now;
                }
                if (entry.FirstChange is { } first && (now - entry.LastChange >= SettleTime || now - first >= MaxWait))
                {
                    entry.FirstChange = null;
                    entry.File.TryReload();
                }
            }
        }
    }
}
