using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// The adapters routable on demand: those config.yaml declares (<c>lora_modules</c> of each backend) and those
/// registered through the admin API (<c>adapters.json</c>); a declared adapter wins over a registration of the same
/// name. Rebuilt when either file changes.
/// </summary>
public sealed class AdapterCatalog : IAdapterCatalog, IDisposable
{
    private readonly IOptionsMonitor<LlmHostConfig> _config;
    private readonly ReloadableFile<AdapterFile> _file;
    private readonly IDisposable? _configChanges;
    private readonly IDisposable _fileChanges;
    private volatile Dictionary<string, CatalogAdapter> _adapters;

    public AdapterCatalog(IOptionsMonitor<LlmHostConfig> config, ReloadableFile<AdapterFile> file)
    {
        _config = config;
        _file = file;
        _adapters = Build();
        _configChanges = config.OnChange(_ => Rebuild());
        _fileChanges = ChangeToken.OnChange(file.GetChangeToken, Rebuild);
    }

    public event Action? Changed;

    public IReadOnlyCollection<CatalogAdapter> Adapters => _adapters.Values;

    public bool TryGet(string name, out CatalogAdapter adapter) => _adapters.TryGetValue(name, out adapter!);

    /// <summary>The registrations of the admin API, as the file holds them now.</summary>
    public IReadOnlyList<AdapterRegistration> Registered => _file.Current.Adapters;

    public string FilePath => _file.Path;

    private void Rebuild()
    {
        _adapters = Build();
        Changed?.Invoke();
    }

    private Dictionary<string, CatalogAdapter> Build()
    {
        var adapters = new Dictionary<string, CatalogAdapter>(StringComparer.Ordinal);
        foreach (var registered in _file.Current.Adapters)
        {
            adapters[registered.Name!] = new CatalogAdapter(registered.Name!, registered.Path!, registered.BaseModel!, registered.Backends ?? [], "admin");
        }
        foreach (var backend in _config.CurrentValue.Backends)
        {
            foreach (var module in backend.LoraModules)
            {
                // Declared by several backends (replicas as separate external servers): one adapter, loadable on all.
                adapters[module.Name] = adapters.TryGetValue(module.Name, out var seen) && seen.Source == "config"
                    ? seen with { Backends = [.. seen.Backends, backend.Name], Paths = seen.WithPath(backend.Name, module.Path) }
                    : new CatalogAdapter(module.Name, module.Path, backend.EffectiveServedModelName, [backend.Name], "config")
                    {
                        Paths = new Dictionary<string, string>(StringComparer.Ordinal) { [backend.Name] = module.Path },
                    };
            }
        }
        return adapters;
    }

    public void Dispose()
    {
        _configChanges?.Dispose();
        _fileChanges.Dispose();
    }
}
