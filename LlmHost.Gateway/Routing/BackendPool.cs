using System.Net;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Every backend instance the gateway can send to. A backend's name resolves through service discovery
/// (<see cref="ServiceEndpointResolver"/>) to all of its endpoints — under Aspire, <c>services__NAME__http__N</c> for
/// its N replicas; elsewhere whatever provider is configured (DNS, Kubernetes) — and a backend with a <c>url</c> and no
/// service entry resolves that URL (a URL with a path is used as written, since endpoints have none). A backend with
/// one endpoint is one instance named like the backend; with several, <c>NAME-1</c>, <c>NAME-2</c>, …
/// Refreshed at every discovery round and after config changes; instances whose name, address and key did not change
/// are kept, with their in-flight counts, health and discovered models.
/// </summary>
public sealed class BackendPool
{
    private readonly IOptionsMonitor<LlmHostConfig> _config;
    private readonly IConfiguration _configuration;
    private readonly ServiceEndpointResolver _resolver;
    private readonly ILogger<BackendPool> _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Snapshot _snapshot = Snapshot.Empty;

    public BackendPool(IOptionsMonitor<LlmHostConfig> config, IConfiguration configuration, ServiceEndpointResolver resolver, ILogger<BackendPool> logger)
    {
        _config = config;
        _configuration = configuration;
        _resolver = resolver;
        _logger = logger;
    }

    /// <summary>Raised after a refresh published a new set of instances.</summary>
    public event Action? Changed;

    public IReadOnlyList<BackendInstance> All => _snapshot.All;

    public IReadOnlyList<BackendInstance> Of(string backendName) =>
        _snapshot.ByBackend.TryGetValue(backendName, out var instances) ? instances : [];

    /// <summary>Resolves every backend's endpoints again and publishes the instances.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var config = _config.CurrentValue;
            var previous = _snapshot;
            var all = new List<BackendInstance>();
            var byBackend = new Dictionary<string, BackendInstance[]>(StringComparer.Ordinal);
            foreach (var backend in config.Backends)
            {
                var instances = await InstancesOfAsync(backend, config.Routing, previous, cancellationToken);
                byBackend[backend.Name] = instances;
                all.AddRange(instances);
            }
            _snapshot = new Snapshot(all, byBackend);
            Changed?.Invoke();
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<BackendInstance[]> InstancesOfAsync(BackendSettings backend, RoutingSettings routing, Snapshot previous, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(backend, cancellationToken);
        if (addresses.Count == 0)
        {
            RoutingLog.BackendWithoutAddress(_logger, backend.Name);
            return [];
        }
        var apiKey = backend.ApiKeyFromEnvironment();
        var instances = new BackendInstance[addresses.Count];
        for (var i = 0; i < addresses.Count; i++)
        {
            var name = addresses.Count == 1 ? backend.Name : $"{backend.Name}-{i + 1}";
            instances[i] = previous.Find(name, addresses[i], apiKey) ?? new BackendInstance(backend, name, addresses[i], apiKey, routing.EjectionTime, routing.Prefix.IndexChunks);
            instances[i].Backend = backend;
        }
        return instances;
    }

    private async Task<IReadOnlyList<Uri>> ResolveAsync(BackendSettings backend, CancellationToken cancellationToken)
    {
        var url = backend.Url is { } text && Uri.TryCreate(text, UriKind.Absolute, out var parsed) ? parsed : null;
        var discovered = _configuration.GetSection($"services:{backend.Name}").Exists();
        if (!discovered && url is { AbsolutePath: not "/" })
        {
            return [url];
        }
        if (!discovered && url is null)
        {
            return [];
        }
        var service = discovered ? $"http://{backend.Name}" : url!.GetLeftPart(UriPartial.Authority);
        var source = await _resolver.GetEndpointsAsync(service, cancellationToken);
        var addresses = new List<Uri>(source.Endpoints.Count);
        foreach (var endpoint in source.Endpoints)
        {
            if (AddressOf(endpoint.EndPoint) is { } address)
            {
                addresses.Add(address);
            }
        }
        return addresses;
    }

    private static Uri? AddressOf(EndPoint endpoint) => endpoint switch
    {
        UriEndPoint uri => uri.Uri,
        DnsEndPoint dns => new Uri($"http://{dns.Host}:{dns.Port}"),
        IPEndPoint ip => new Uri($"http://{ip}"),
        _ => null,
    };

    private sealed record Snapshot(List<BackendInstance> All, Dictionary<string, BackendInstance[]> ByBackend)
    {
        public static Snapshot Empty { get; } = new([], []);

        public BackendInstance? Find(string name, Uri address, string? apiKey)
        {
            var normalized = BackendInstance.Normalize(address);
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
