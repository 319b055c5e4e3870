using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Every backend instance the gateway can send to. Addresses come from Aspire service discovery
/// (<c>services__NAME__http__0</c>) when present, else from the backend's <c>url</c> (standalone gateway).
/// Rebuilt when config.yaml changes; instances whose name, address and key did not change are kept, with their
/// in-flight counts, health and discovered models.
/// </summary>
public sealed class BackendPool
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<BackendPool> _logger;
    private readonly Func<TimeSpan> _streamIdleTimeout;
    private volatile Snapshot _snapshot;

    public BackendPool(GatewayConfigProvider config, IConfiguration configuration, ILogger<BackendPool> logger)
    {
        _configuration = configuration;
        _logger = logger;
        // Read per stream, so that kept instances follow a reloaded activity_timeout.
        _streamIdleTimeout = () => config.Current.ActivityTimeout;
        _snapshot = Build(config.Current, Snapshot.Empty);
        config.Changed += next =>
        {
            _snapshot = Build(next, _snapshot);
            Changed?.Invoke();
        };
    }

    /// <summary>Raised after a config reload rebuilt the pool.</summary>
    public event Action? Changed;

    public IReadOnlyList<BackendInstance> All => _snapshot.All;

    public IReadOnlyList<BackendInstance> Of(string backendName) =>
        _snapshot.ByBackend.TryGetValue(backendName, out var instances) ? instances : [];

    private Snapshot Build(GatewayConfig config, Snapshot previous)
    {
        var all = new List<BackendInstance>();
        var byBackend = new Dictionary<string, BackendInstance[]>(StringComparer.Ordinal);
        foreach (var backend in config.Settings.Backends)
        {
            var apiKey = backend.ApiKeyEnv is { } env ? Environment.GetEnvironmentVariable(env) : null;
            var instances = new List<BackendInstance>();
            foreach (var instanceName in backend.InstanceNames())
            {
                var address = _configuration[$"services:{instanceName}:http:0"] ?? _configuration[$"services:{instanceName}:https:0"];
                if (address is null && backend.Replicas == 1)
                {
                    address = backend.Url;
                }
                if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri))
                {
                    GatewayLog.BackendWithoutAddress(_logger, instanceName);
                    continue;
                }
                var instance = previous.Find(instanceName, uri, apiKey) ?? new BackendInstance(backend, instanceName, uri, apiKey, config.EjectionTime, _streamIdleTimeout, _logger);
                instance.Backend = backend;
                instances.Add(instance);
            }
            byBackend[backend.Name] = [.. instances];
            all.AddRange(instances);
        }
        return new Snapshot(all, byBackend);
    }

    private sealed record Snapshot(List<BackendInstance> All, Dictionary<string, BackendInstance[]> ByBackend)
    {
        public static Snapshot Empty { get; } = new([], []);

        public BackendInstance? Find(string name, Uri address, string? apiKey)
        {
            var normalized = address.GetLeftPart(UriPartial.Path).TrimEnd('/');
            foreach (var instance in All)
            {
                if (instance.Name == name && instance.Address == normalized && instance.ApiKey == apiKey)
                {
                    return instance;
                }
            }
            return null;
        }
    }
}
