using LlmHost.Backends.Configuration;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// One running server of a backend: its address, requests in flight, the models it last listed, and its health —
/// active (the probes of <see cref="BackendProbeService"/>) and passive (<see cref="PassiveHealth"/>: consecutive
/// failed requests eject it for a back-off period that doubles on repeats).
/// </summary>
public sealed class BackendInstance
{
    private int _outstanding;
    private int _sleep;
    private long _lastActive = System.Diagnostics.Stopwatch.GetTimestamp();
    private volatile bool _reachable = true;
    private volatile IReadOnlyList<ModelCard> _models = [];
    private volatile BackendSettings _backend;
    private readonly Lock _modelsLock = new();
    private readonly int _prefixCapacity;
    private Load.EngineLoad? _load;
    private Prefix.PrefixIndex? _prefixes;
    private Load.PrefillLedger? _prefill;

    public BackendInstance(BackendSettings backend, string name, Uri address, string? apiKey, TimeSpan ejectionTime, int prefixCapacity = 16_384)
    {
        _prefixCapacity = prefixCapacity;
        _backend = backend;
        Name = name;
        Address = Normalize(address);
        (Host, Port) = (address.DnsSafeHost, address.Port);
        ApiKey = apiKey;
        Health = new PassiveHealth(ejectionTime);
    }

    /// <summary>A GET of <paramref name="path"/> on this instance, with its engine key when it has one (control-plane reads).</summary>
    public HttpRequestMessage Get(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Address + path);
        if (ApiKey is { } key)
        {
            request.Headers.Authorization = new("Bearer", key);
        }
        return request;
    }

    /// <summary>An address as instances keep it: scheme, authority and path, without a trailing slash.</summary>
    public static string Normalize(Uri address) => address.GetLeftPart(UriPartial.Path).TrimEnd('/');

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

    /// <summary>The host and port of <see cref="Address"/>.</summary>
    public string Host { get; }
    public int Port { get; }

    /// <summary>The key the gateway sends to the backend in place of the client's.</summary>
    public string? ApiKey { get; }

    /// <summary>Passive health: the outcomes of the requests forwarded to this instance.</summary>
    public PassiveHealth Health { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>The engine's own load from its last <c>/metrics</c> read; null when unknown (never read, or the read failed).</summary>
    public Load.EngineLoad? Load
    {
        get => Volatile.Read(ref _load);
        set => Volatile.Write(ref _load, value);
    }

    /// <summary>The prompt chunks sent here lately: what its prefix cache probably holds (<c>prefix_aware</c>).</summary>
    public Prefix.PrefixIndex Prefixes => LazyInitializer.EnsureInitialized(ref _prefixes, () => new Prefix.PrefixIndex(_prefixCapacity));

    /// <summary>The prompt tokens in prefill here (flow control's <c>max_prefill_tokens_per_instance</c>).</summary>
    public Load.PrefillLedger Prefill => LazyInitializer.EnsureInitialized(ref _prefill);

    /// <summary>Whether the last active probe (health path or model list) succeeded.</summary>
    public bool Reachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    /// <summary>True while passive health has ejected the instance.</summary>
    public bool Ejected => Health.IsEjected;

    /// <summary>Candidates for new requests: reachable, not ejected, awake.</summary>
    public bool Available => _reachable && !Health.IsEjected && Volatile.Read(ref _sleep) == (int)SleepState.Awake;

    /// <summary>Reachable and not ejected, but asleep (or changing): a request for its model may wake it.</summary>
    public bool Wakeable => _reachable && !Health.IsEjected && Volatile.Read(ref _sleep) != (int)SleepState.Awake;

    public SleepState Sleep
    {
        get => (SleepState)Volatile.Read(ref _sleep);
        set => Volatile.Write(ref _sleep, (int)value);
    }

    /// <summary>Changes the sleep state only from <paramref name="expected"/>; false when it was something else.</summary>
    public bool TrySetSleep(SleepState expected, SleepState next) =>
        Interlocked.CompareExchange(ref _sleep, (int)next, (int)expected) == (int)expected;

    /// <summary>The level the engine was put to sleep at; 0 when unknown (found asleep): a wake then reloads everything.</summary>
    public int SleepLevel { get; set; }

    /// <summary>Counts as activity now (a wake), so that the idle timer starts again.</summary>
    public void MarkActive() => Interlocked.Exchange(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>How long since a request last started or ended here.</summary>
    public TimeSpan Idle => System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActive));

    /// <summary>The models the instance serves: its base model and the adapters it holds (cards with a parent).</summary>
    public IReadOnlyList<ModelCard> Models
    {
        get => _models;
        set => _models = value;
    }

    /// <summary>Use of the instance's adapters, and the loads and unloads the gateway made on it.</summary>
    public InstanceAdapters HeldAdapters { get; } = new();

    /// <summary>The adapters the instance holds.</summary>
    public IEnumerable<string> AdapterNames
    {
        get
        {
            foreach (var card in _models)
            {
                if (card.Parent is not null)
                {
                    yield return card.Id;
                }
            }
        }
    }

    public int AdapterCount => AdapterNames.Count();

    public bool HoldsAdapter(string adapter)
    {
        foreach (var card in _models)
        {
            if (card.Parent is not null && card.Id == adapter)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Takes the model list the instance gave when asked at <paramref name="askedAt"/>.</summary>
    public void Listed(IReadOnlyList<ModelCard> cards, DateTime askedAt)
    {
        lock (_modelsLock)
        {
            _models = HeldAdapters.Reconcile(cards, askedAt);
        }
    }

    /// <summary>The gateway loaded an adapter here: it is served from now on, whatever the last list said.</summary>
    public void AdapterLoaded(ModelCard card)
    {
        lock (_modelsLock)
        {
            HeldAdapters.Changed(card.Id, card);
            HeldAdapters.Use(card.Id).Touch();
            _models = [.. _models.Where(c => c.Id != card.Id), card];
        }
    }

    /// <summary>The gateway unloaded an adapter here.</summary>
    public void AdapterUnloaded(string adapter)
    {
        lock (_modelsLock)
        {
            HeldAdapters.Changed(adapter, null);
            _models = [.. _models.Where(c => c.Parent is null || c.Id != adapter)];
        }
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

    public void Enter()
    {
        Interlocked.Increment(ref _outstanding);
        Interlocked.Exchange(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public void Leave()
    {
        Interlocked.Decrement(ref _outstanding);
        Interlocked.Exchange(ref _lastActive, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}
