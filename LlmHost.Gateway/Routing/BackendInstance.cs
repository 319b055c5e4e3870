using LlmHost.Backends.Configuration;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Proxy;
using Polly;
using Polly.CircuitBreaker;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// One running server of a backend: its address, requests in flight, the models it last listed, and its health —
/// active (the probes of <see cref="BackendProbeService"/>) and passive (a Polly circuit breaker over the requests
/// forwarded to it: when most recent requests failed it is ejected for a back-off period that doubles on repeats).
/// </summary>
public sealed class BackendInstance
{
    private static readonly TimeSpan MaxEjection = TimeSpan.FromSeconds(60);
    private readonly CircuitBreakerStateProvider _circuit = new();
    private int _outstanding;
    private volatile bool _reachable = true;
    private volatile IReadOnlyList<ModelCard> _models = [];
    private volatile BackendSettings _backend;

    public BackendInstance(BackendSettings backend, string name, Uri address, string? apiKey, TimeSpan ejectionTime)
    {
        _backend = backend;
        Name = name;
        Address = address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        ApiKey = apiKey;
        Transformer = new BackendTransformer(apiKey, name);
        Pipeline = new ResiliencePipelineBuilder<ForwardOutcome>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ForwardOutcome>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDurationGenerator = args => ValueTask.FromResult(
                    TimeSpan.FromTicks(Math.Min(MaxEjection.Ticks, ejectionTime.Ticks << Math.Min(args.HalfOpenAttempts, 10)))),
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null || args.Outcome.Result.IsBackendFailure),
                StateProvider = _circuit,
            })
            .Build();
    }

    /// <summary>The config.yaml entry; replaced when a reload changes settings that do not need a new instance.</summary>
    public BackendSettings Backend
    {
        get => _backend;
        set => _backend = value;
    }

    /// <summary>The instance's service-discovery name (the backend's name, with <c>-N</c> for replicas).</summary>
    public string Name { get; }

    /// <summary>Base address without a trailing slash, e.g. <c>http://127.0.0.1:8000</c>.</summary>
    public string Address { get; }

    /// <summary>The key the gateway sends to the backend in place of the client's.</summary>
    public string? ApiKey { get; }

    /// <summary>Request and response transforms for this instance; made once, used for every request.</summary>
    public BackendTransformer Transformer { get; }

    /// <summary>Forwarding runs through this pipeline, whose circuit breaker is the passive health check.</summary>
    public ResiliencePipeline<ForwardOutcome> Pipeline { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Whether the last active probe (health path or model list) succeeded.</summary>
    public bool Reachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    /// <summary>True when passive health has ejected the instance (circuit open).</summary>
    public bool Ejected => _circuit.CircuitState == CircuitState.Open;

    /// <summary>Candidates for new requests: reachable and not ejected.</summary>
    public bool Available => _reachable && _circuit.CircuitState != CircuitState.Open;

    public IReadOnlyList<ModelCard> Models
    {
        get => _models;
        set => _models = value;
    }

    public bool Lists(string model)
    {
        foreach (var card in _models)
        {
            if (card.Id == model)
            {
                return true;
            }
        }
        return false;
    }

    public void Enter() => Interlocked.Increment(ref _outstanding);

    public void Leave() => Interlocked.Decrement(ref _outstanding);
}
