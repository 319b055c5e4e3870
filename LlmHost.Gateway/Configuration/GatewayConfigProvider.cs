using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Configuration;

/// <summary>
/// The current <see cref="GatewayConfig"/>. The first load happens at start and stops the gateway if the file is
/// invalid; later reloads that fail keep the last good config, log every problem and expose them in
/// <see cref="LastError"/>.
/// </summary>
public sealed class GatewayConfigProvider
{
    private readonly ILogger<GatewayConfigProvider> _logger;
    private readonly Lock _reloadLock = new();
    private volatile GatewayConfig _current;

    public GatewayConfigProvider(GatewayConfig initial, ILogger<GatewayConfigProvider> logger)
    {
        _current = initial;
        _logger = logger;
    }

    public GatewayConfig Current => _current;

    /// <summary>Why the last reload was refused; null when the file on disk is the one in use.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised after a new config replaced the old one.</summary>
    public event Action<GatewayConfig>? Changed;

    public bool TryReload()
    {
        lock (_reloadLock)
        {
            GatewayConfig next;
            try
            {
                next = GatewayConfig.LoadFile(_current.Path);
            }
            catch (ConfigException ex)
            {
                LastError = ex.Message;
                foreach (var error in ex.Errors)
                {
                    GatewayLog.ConfigReloadProblem(_logger, _current.Path, error.ToString());
                }
                GatewayLog.ConfigReloadRefused(_logger, _current.Path, ex.Errors.Count);
                return false;
            }
            LastError = null;
            _current = next;
            GatewayLog.ConfigReloaded(_logger, next.Path, next.Settings.Backends.Count);
            Changed?.Invoke(next);
            return true;
        }
    }
}
