using System.Collections.Concurrent;
using LlmHost.Backends.Engines;

namespace LlmHost.Simulator.Engine;

/// <summary>The served names of the one base model and the LoRA adapters loaded on top of it.</summary>
public sealed class ModelRegistry
{
    private readonly SimulatorOptions _options;
    private readonly HashSet<string> _servedNames;
    private readonly ConcurrentDictionary<string, string> _adapters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _adapterUsers = new(StringComparer.Ordinal);

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

    public bool TryAddAdapter(string name, string path) => _adapters.TryAdd(name, path);

    public void SetAdapter(string name, string path) => _adapters[name] = path;

    public bool TryRemoveAdapter(string name) => _adapters.TryRemove(name, out _);

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

    public void AdapterStarted(string adapter) => _adapterUsers.AddOrUpdate(adapter, 1, (_, n) => n + 1);

    public void AdapterFinished(string adapter) => _adapterUsers.AddOrUpdate(adapter, 0, (_, n) => Math.Max(0, n - 1));

    /// <summary>Adapters with requests in flight, comma-joined as in <c>vllm:lora_requests_info</c>.</summary>
    public string RunningAdapters()
    {
        var names = new List<string>();
        foreach (var (name, users) in _adapterUsers)
        {
            if (users > 0)
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        return string.Join(',', names);
    }
}
