using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// The current keys. Loaded at start (an invalid file stops the gateway with every problem listed; a missing one is
/// created with an admin key, see <see cref="ApiKeyBootstrap"/>); reloaded when the file changes, keeping the last
/// good keys when a new version does not parse or validate.
/// </summary>
public sealed class ApiKeyStore
{
    public const string PathKey = "keys";
    public const string DefaultPath = "config/api_keys.json";

    private readonly ILogger<ApiKeyStore> _logger;
    private readonly Lock _reloadLock = new();
    private volatile ApiKeySnapshot _current = ApiKeySnapshot.Empty;

    public ApiKeyStore(string path, ApiKeyLoadResult initial, ILogger<ApiKeyStore> logger)
    {
        Path = path;
        _logger = logger;
        Apply(initial);
    }

    /// <summary>Loads the file at start: an invalid one stops the gateway with every problem listed.</summary>
    public static ApiKeyLoadResult LoadAtStart(string path)
    {
        var result = ApiKeyFileLoader.Load(File.ReadAllBytes(path));
        return result.Errors.Count == 0 ? result : throw new ConfigException(path, result.Errors);
    }

    public string Path { get; }

    public ApiKeySnapshot Current => _current;

    /// <summary>Why the file on disk is not the one in use; null when it is.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset LoadedAt { get; private set; }

    /// <summary>Raised after a new set of keys became current.</summary>
    public event Action<ApiKeySnapshot>? Changed;

    public static string ResolvePath(IConfiguration configuration) =>
        System.IO.Path.GetFullPath(configuration[PathKey] ?? DefaultPath, Directory.GetCurrentDirectory());

    public bool TryReload()
    {
        lock (_reloadLock)
        {
            ApiKeyLoadResult result;
            try
            {
                result = ApiKeyFileLoader.Load(File.ReadAllBytes(Path));
            }
            catch (IOException ex)
            {
                LastError = $"{Path} cannot be read: {ex.Message}";
                GatewayLog.KeysReloadProblem(_logger, Path, LastError);
                return false;
            }
            if (result.Errors.Count > 0)
            {
                LastError = new ConfigException(Path, result.Errors).Message;
                foreach (var error in result.Errors)
                {
                    GatewayLog.KeysReloadProblem(_logger, Path, error.ToString());
                }
                GatewayLog.KeysReloadRefused(_logger, Path, result.Errors.Count);
                return false;
            }
            Apply(result);
            GatewayLog.KeysReloaded(_logger, Path, result.Keys.Count);
            return true;
        }
    }

    /// <summary>Makes a validated result current (used by reloads and by the admin API right after it wrote the file).</summary>
    public void Apply(ApiKeyLoadResult result)
    {
        foreach (var warning in result.Warnings)
        {
            GatewayLog.KeyInPlainText(_logger, Path, warning);
        }
        var snapshot = new ApiKeySnapshot(result.Keys);
        _current = snapshot;
        LastError = null;
        LoadedAt = DateTimeOffset.UtcNow;
        Changed?.Invoke(snapshot);
    }
}
