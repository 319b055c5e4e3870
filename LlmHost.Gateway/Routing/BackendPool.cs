using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Every backend instance the gateway can send to. Addresses come from Aspire service discovery
/// (<c>services__NAME__http__0</c>) when present, else from the backend's <c>url</c> (standalone gateway).
/// </summary>
public sealed class BackendPool
{
    private readonly Dictionary<string, BackendInstance[]> _byBackend = new(StringComparer.Ordinal);

    public BackendPool(GatewayConfig config, IConfiguration configuration, ILogger<BackendPool> logger)
    {
        var all = new List<BackendInstance>();
        foreach (var backend in config.Settings.Backends)
        {
            var apiKey = backend.ApiKeyEnv is { } env ? Environment.GetEnvironmentVariable(env) : null;
            var instances = new List<BackendInstance>();
            foreach (var instanceName in backend.InstanceNames())
            {
                var address = configuration[$"services:{instanceName}:http:0"] ?? configuration[$"services:{instanceName}:https:0"];
                if (address is null && backend.Replicas == 1)
                {
                    address = backend.Url;
                }
                if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri))
                {
                    GatewayLog.BackendWithoutAddress(logger, instanceName);
                    continue;
                }
                instances.Add(new BackendInstance(backend, instanceName, uri, apiKey));
            }
            _byBackend[backend.Name] = [.. instances];
            all.AddRange(instances);
        }
        All = all;
    }

    public IReadOnlyList<BackendInstance> All { get; }

    public IReadOnlyList<BackendInstance> Of(string backendName) =>
        _byBackend.TryGetValue(backendName, out var instances) ? instances : [];
}
