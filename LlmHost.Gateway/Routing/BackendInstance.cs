using LlmHost.Backends.Configuration;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Routing;

/// <summary>One running server of a backend: its address, in-flight count, health and the models it last listed.</summary>
public sealed class BackendInstance(BackendSettings backend, string name, Uri address, string? apiKey)
{
    private int _outstanding;
    private volatile bool _healthy = true;
    private volatile IReadOnlyList<ModelCard> _models = [];

    public BackendSettings Backend { get; } = backend;

    /// <summary>The instance's service-discovery name (the backend's name, with <c>-N</c> for replicas).</summary>
    public string Name { get; } = name;

    /// <summary>Base address without a trailing slash, e.g. <c>http://127.0.0.1:8000</c>.</summary>
    public string Address { get; } = address.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>The key the gateway sends to the backend in place of the client's.</summary>
    public string? ApiKey { get; } = apiKey;

    /// <summary>Request transform for this instance (its API key replaces the client's); made once, used for every request.</summary>
    public Proxy.BackendTransformer Transformer { get; } = new(apiKey);

    public int Outstanding => Volatile.Read(ref _outstanding);

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public IReadOnlyList<ModelCard> Models
    {
        get => _models;
        set => _models = value;
    }

    public void Enter() => Interlocked.Increment(ref _outstanding);

    public void Leave() => Interlocked.Decrement(ref _outstanding);
}
