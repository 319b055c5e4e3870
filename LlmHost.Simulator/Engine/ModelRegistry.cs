using System.Collections.Concurrent;
using LlmHost.Backends.Engines;

namespace LlmHost.Simulator.Engine;

/// <summary>The served names of the one base model and the LoRA adapters loaded on top of it.</summary>
public sealed class ModelRegistry
{
    private readonly SimulatorOptions _options;
    private readonly HashSet<string> _servedNames;
    private readonly ConcurrentDictionary<string, string> _adapters = new(StringComparer.Ordinal);

    public ModelRegistry(SimulatorOptions options)
    {
        _options = options;
        _servedNames = options.ServedModelNames.Count > 0 ? [.. options.ServedModelNames] : [options.Model];
        foreach (var module in options.LoraModules)
        {
            _adapters[module.Name] = module.Path;
        }
        Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public long Created { get; }

    public IReadOnlyList<string> ServedNames => _options.ServedModelNames.Count > 0 ? _options.ServedModelNames : [_options.Model];

    public ICollection<KeyValuePair<string, string>> Adapters => _adapters;

    private int _loadRequests;

    /// <summary>Runtime load requests received (whatever their outcome): what a test counts to see one load, not two.</summary>
    public int LoadRequests => Volatile.Read(ref _loadRequests);

    public void CountLoadRequest() => Interlocked.Increment(ref _loadRequests);

    public bool TryAddAdapter(string name, string path) => TryAddAdapter(name, path, 0) == AdapterAdd.Added;

    /// <summary>Adds an adapter unless it is loaded already or <paramref name="limit"/> adapters are (0: no limit).</summary>
    public AdapterAdd TryAddAdapter(string name, string path, int limit)
    {
        lock (_adapters)
        {
            if (_adapters.ContainsKey(name))
            {
                return AdapterAdd.AlreadyLoaded;
            }
            if (limit > 0 && _adapters.Count >= limit)
            {
                return AdapterAdd.Full;
            }
            _adapters[name] = path;
            return AdapterAdd.Added;
        }
    }

    public void SetAdapter(string name, string path) => _adapters[name] = path;

    public bool TryRemoveAdapter(string name)
    {
        lock (_adapters)
        {
            return _adapters.TryRemove(name, out _);
        }
    }

    /// <summary>Resolves a request's <c>model</c> (and SGLang's <c>lora_path</c>) the way the imitated engine does.</summary>
    public ModelResolution Resolve(string? requested, string? loraPath)
    {
        var primary = _options.PrimaryServedName;
        if (string.IsNullOrEmpty(requested))
        {
            return new ModelResolution(true, null, primary);
        }
        if (_options.Engine == BackendEngine.Vllm)
        {
            if (_servedNames.Contains(requested))
            {
                return new ModelResolution(true, null, primary);
            }
            return _adapters.ContainsKey(requested)
                ? new ModelResolution(true, requested, requested)
                : ModelResolution.NotFound;
        }

        // SGLang: "base" or "base:adapter"; the older lora_path field names an adapter for a base request.
        var colon = requested.IndexOf(':');
        if (colon < 0)
        {
            if (!_servedNames.Contains(requested))
            {
                return ModelResolution.NotFound;
            }
            if (!string.IsNullOrEmpty(loraPath))
            {
                return _adapters.ContainsKey(loraPath) ? new ModelResolution(true, loraPath, requested) : ModelResolution.NotFound;
            }
            return new ModelResolution(true, null, requested);
        }
        var basePart = requested[..colon];
        var adapter = requested[(colon + 1)..];
        return _servedNames.Contains(basePart) && _adapters.ContainsKey(adapter)
            ? new ModelResolution(true, adapter, requested)
            : ModelResolution.NotFound;
    }
}
