using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Primitives;

namespace LlmHost.Gateway.Configuration;

/// <summary>
/// The current version of a file the gateway reloads — config.yaml as <see cref="LlmHostConfig"/>, the key file as
/// the key snapshot. Loaded by the start-up step (an invalid file throws <see cref="ConfigException"/>, which stops the
/// gateway with every problem listed); reloaded by <see cref="FileReloadService"/> when the file changes, keeping the
/// last good version when a new one does not load. Readers never lock; each new version cancels the change token, so
/// consumers follow through <see cref="ReloadableFileOptionsMonitor{T}"/> (<c>IOptionsMonitor&lt;T&gt;</c>).
/// </summary>
public sealed class ReloadableFile<T> : IReloadableFile where T : class
{
    private readonly Func<string, LoadedFile<T>> _load;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private volatile T _current;
    private CancellationTokenSource _changed = new();

    /// <summary>Starts from <paramref name="initial"/>, the version the start-up step loaded from <paramref name="path"/>.</summary>
    public ReloadableFile(string path, LoadedFile<T> initial, Func<string, LoadedFile<T>> load, ILogger logger)
    {
        Path = path;
        _load = load;
        _logger = logger;
        LogWarnings(initial);
        _current = initial.Value;
        LoadedAt = DateTimeOffset.UtcNow;
    }

    public string Path { get; }

    public T Current => _current;

    public string? LastError { get; private set; }

    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>Cancelled when a new version replaces the current one.</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public bool TryReload()
    {
        lock (_lock)
        {
            LoadedFile<T> next;
            try
            {
                next = _load(Path);
            }
            catch (ConfigException ex)
            {
                LastError = ex.Message;
                foreach (var error in ex.Errors)
                {
                    ConfigurationLog.ReloadProblem(_logger, Path, error.ToString());
                }
                ConfigurationLog.ReloadRefused(_logger, Path, ex.Errors.Count);
                return false;
            }
            Replace(next);
            ConfigurationLog.Reloaded(_logger, Path);
            return true;
        }
    }

    /// <summary>Makes a version current that was just written to the file (an admin write), without reading it back.</summary>
    public void Set(LoadedFile<T> value)
    {
        lock (_lock)
        {
            Replace(value);
        }
    }

    private void Replace(LoadedFile<T> next)
    {
        LogWarnings(next);
        _current = next.Value;
        LastError = null;
        LoadedAt = DateTimeOffset.UtcNow;
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    private void LogWarnings(LoadedFile<T> loaded)
    {
        foreach (var warning in loaded.Warnings)
        {
            ConfigurationLog.Warning(_logger, Path, warning);
        }
    }
}
