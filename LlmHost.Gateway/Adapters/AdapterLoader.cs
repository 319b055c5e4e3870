using System.Collections.Concurrent;
using System.Diagnostics;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.ControlPlane;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// Loads and unloads adapters on engine instances. Loads on one instance run one at a time (its slots are counted
/// before each); when its slots (<c>lora.max_loaded</c>) are full, the least recently used adapter with no request in
/// flight for <c>lora.min_idle</c> is unloaded first — taken out of the routing table before the engine is asked, and
/// marked so that no request placed before can start on it. A load requested again while it runs joins it: one load
/// per adapter and instance, however many requests wait for it. A failed on-demand load is remembered for
/// <see cref="FailureMemory"/>: requests for it fail fast instead of calling the engine again and again. The routing
/// table sees every load and unload at once.
/// </summary>
public sealed class AdapterLoader(EngineControl control, RouteRegistry routes, AdapterCatalog catalog, ILogger<AdapterLoader> logger)
{
    /// <summary>How long a failed on-demand load answers for itself before the engine is tried again.</summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<(string Instance, string Adapter), Lazy<Task<LoraCallResult>>> _loading = new();
    private readonly ConcurrentDictionary<(string Instance, string Adapter), (long Until, LoraCallResult Result)> _failed = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Loads runs in flight now (for tests and the admin view).</summary>
    public int LoadsInFlight => _loading.Count;

    /// <summary>
    /// Waits until <paramref name="adapter"/> is on <paramref name="instance"/>, loading it if needed (one load, shared by
    /// every request waiting for it). Throws <see cref="TimeoutException"/> after <c>lora.wait_timeout</c>; the load
    /// itself goes on for the requests that come after.
    /// </summary>
    public async Task<LoraCallResult> EnsureLoadedAsync(BackendInstance instance, CatalogAdapter adapter, CancellationToken cancellationToken)
    {
        if (instance.HoldsAdapter(adapter.Name))
        {
            return new LoraCallResult(true, 200, "already loaded");
        }
        var key = (instance.Name, adapter.Name);
        if (_failed.TryGetValue(key, out var failed))
        {
            if (Stopwatch.GetTimestamp() < failed.Until)
            {
                return failed.Result;
            }
            _failed.TryRemove(KeyValuePair.Create(key, failed));
        }
        var load = _loading.GetOrAdd(key, k => new Lazy<Task<LoraCallResult>>(() => LoadOnceAsync(instance, adapter, k)));
        return await load.Value.WaitAsync(instance.Backend.Lora.WaitTimeout, cancellationToken);
    }

    private async Task<LoraCallResult> LoadOnceAsync(BackendInstance instance, CatalogAdapter adapter, (string, string) key)
    {
        try
        {
            var result = await LoadAsync(instance, adapter, CancellationToken.None, fromCatalog: true);
            if (!result.Succeeded && !result.SlotsBusy)
            {
                _failed[key] = (Stopwatch.GetTimestamp() + (long)(FailureMemory.TotalSeconds * Stopwatch.Frequency), result);
            }
            return result;
        }
        finally
        {
            _loading.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Loads an adapter on an instance now, making room first; reports the engine's answer. With
    /// <paramref name="fromCatalog"/>, an adapter that left the catalogue meanwhile (an admin unloaded it) is not loaded.
    /// </summary>
    public async Task<LoraCallResult> LoadAsync(BackendInstance instance, CatalogAdapter adapter, CancellationToken cancellationToken, bool fromCatalog = false)
    {
        if (!instance.Backend.Lora.Enabled)
        {
            return new LoraCallResult(false, 409, $"backend '{instance.Backend.Name}' has lora.enabled: false");
        }
        if (instance.Sleep != SleepState.Awake)
        {
            return new LoraCallResult(false, 409, "the engine sleeps (its GPU memory is released): wake it first");
        }
        var gate = _gates.GetOrAdd(instance.Name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (instance.HoldsAdapter(adapter.Name))
            {
                return new LoraCallResult(true, 200, "already loaded");
            }
            if (fromCatalog && !catalog.TryGet(adapter.Name, out _))
            {
                return new LoraCallResult(false, 404, "the adapter left the catalogue while the load waited");
            }
            if (await MakeRoomAsync(instance, cancellationToken) is { } full)
            {
                return full;
            }
            var started = Stopwatch.GetTimestamp();
            var result = await CallAsync(instance, instance.Backend.Lora.LoadTimeout, (http, token) =>
                EngineLoraClient.LoadAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile, adapter.Name, adapter.PathFor(instance.Backend.Name), token), cancellationToken);
            if (result.Succeeded || IsAlreadyLoaded(result))
            {
                ForgetFailures(adapter.Name);
                instance.AdapterLoaded(CardOf(instance, adapter));
                routes.Rebuild();
                AdaptersLog.Loaded(logger, adapter.Name, instance.Name, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return result with { Succeeded = true };
            }
            AdaptersLog.LoadFailed(logger, adapter.Name, instance.Name, result.Status, result.Message);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Unloads an adapter from an instance, waiting for a load of it there to end first; null when the instance does
    /// not hold it (then the engine is not called). An adapter the engine does not hold counts as unloaded.
    /// </summary>
    public async Task<LoraCallResult?> UnloadAsync(BackendInstance instance, string adapter, string reason, CancellationToken cancellationToken)
    {
        if (instance.Sleep != SleepState.Awake && instance.HoldsAdapter(adapter))
        {
            return new LoraCallResult(false, 409, "the engine sleeps (its GPU memory is released): wake it first");
        }
        var gate = _gates.GetOrAdd(instance.Name, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            ForgetFailures(adapter);
            return instance.HoldsAdapter(adapter) ? await UnloadLockedAsync(instance, adapter, reason, cancellationToken) : null;
        }
        finally
        {
            gate.Release();
        }
    }

    // Out of the routing table first, so that no new request goes there while the engine unloads it. If the engine
    // fails to unload it, the next discovery round puts it back.
    private async Task<LoraCallResult> UnloadLockedAsync(BackendInstance instance, string adapter, string reason, CancellationToken cancellationToken)
    {
        instance.AdapterUnloaded(adapter);
        routes.Rebuild();
        var result = await CallAsync(instance, EngineControl.ReadTimeout * 6, (http, token) =>
            EngineLoraClient.UnloadAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile, adapter, token), cancellationToken);
        if (result.Succeeded || IsNotLoaded(result))
        {
            AdaptersLog.Unloaded(logger, adapter, instance.Name, reason);
            return result with { Succeeded = true };
        }
        AdaptersLog.UnloadFailed(logger, adapter, instance.Name, result.Status, result.Message);
        return result;
    }

    private void ForgetFailures(string adapter)
    {
        foreach (var key in _failed.Keys)
        {
            if (key.Adapter == adapter)
            {
                _failed.TryRemove(key, out _);
            }
        }
    }

    // Frees a slot when all are taken: the least recently used adapter idle for lora.min_idle goes, once no request
    // can start on it any more.
    private async Task<LoraCallResult?> MakeRoomAsync(BackendInstance instance, CancellationToken cancellationToken)
    {
        var lora = instance.Backend.Lora;
        while (instance.AdapterCount >= lora.MaxLoaded)
        {
            if (instance.HeldAdapters.LeastRecentlyUsedIdle(instance.AdapterNames, lora.MinIdle) is not { } victim)
            {
                return new LoraCallResult(false, 503, $"all {lora.MaxLoaded} adapter slots of '{instance.Name}' served requests within {lora.MinIdle.TotalSeconds:0.#} s")
                {
                    SlotsBusy = true,
                };
            }
            var use = instance.HeldAdapters.Use(victim);
            if (!use.TryStartEviction())
            {
                continue; // a request started on it just now: look again
            }
            LoraCallResult unloaded;
            try
            {
                unloaded = await UnloadLockedAsync(instance, victim, "least recently used, to make room", cancellationToken);
            }
            finally
            {
                use.EvictionEnded();
            }
            if (!unloaded.Succeeded)
            {
                return unloaded with { Message = $"making room failed: unloading '{victim}': {unloaded.Message}" };
            }
        }
        return null;
    }

    // One engine call through the instance's write pipeline; failures of the transport become results.
    private async Task<LoraCallResult> CallAsync(BackendInstance instance, TimeSpan timeout, Func<HttpClient, CancellationToken, Task<LoraCallResult>> call,
        CancellationToken cancellationToken)
    {
        try
        {
            return await control.WriteAsync(instance.Name, timeout, token => new ValueTask<LoraCallResult>(call(control.Http, token)), cancellationToken);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new LoraCallResult(false, 504, $"the engine did not answer within {timeout.TotalSeconds:0} s");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new LoraCallResult(false, 503, "the engine failed its recent calls: not called again until it has had time to recover");
        }
        catch (HttpRequestException ex)
        {
            return new LoraCallResult(false, 502, $"the engine could not be reached: {ex.Message}");
        }
    }

    private static bool IsAlreadyLoaded(LoraCallResult result) =>
        result.Message.Contains("already been loaded", StringComparison.OrdinalIgnoreCase) || result.Message.Contains("already loaded", StringComparison.OrdinalIgnoreCase);

    private static bool IsNotLoaded(LoraCallResult result) =>
        result.Status == 404 && !result.RuntimeLoraDisabled || result.Message.Contains("is not loaded", StringComparison.OrdinalIgnoreCase);

    private static ModelCard CardOf(BackendInstance instance, CatalogAdapter adapter) => new()
    {
        Id = adapter.Name,
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        OwnedBy = instance.Backend.Profile.OwnedBy,
        Root = adapter.PathFor(instance.Backend.Name),
        Parent = instance.Backend.EffectiveServedModelName,
    };
}
