using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Utilities;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// What the admin API does with adapters: load one on the instances of its base model (registering it in the
/// catalogue), unload one (from named instances, or everywhere and out of the catalogue). Every engine's answer is
/// reported, per instance; nothing fails silently.
/// </summary>
public sealed class AdapterOperations(AdapterCatalog catalog, AdapterLoader loader, BackendPool pool, RouteRegistry routes,
    IOptionsMonitor<LlmHostConfig> config, AdapterFileEditor editor)
{
    public async Task<AdapterOperation> LoadAsync(string actor, AdapterLoadRequest request, CancellationToken cancellationToken)
    {
        if (Check(request) is { } refused)
        {
            return refused;
        }
        var backends = BackendsFor(request, out var baseModel);
        if (backends.Count == 0)
        {
            return request.Backend is { } name
                ? AdapterOperation.Refused(404, $"There is no backend '{ClientText.Bound(name)}'.", "backend")
                : AdapterOperation.Refused(404, $"No backend serves the base model '{ClientText.Bound(request.BaseModel ?? "")}'.", "base_model");
        }
        var adapter = new CatalogAdapter(request.Name, request.Path, baseModel, request.Backend is null ? [] : [request.Backend], "admin");
        if (Targets(backends, request.Instances, out var unknown) is not { } targets)
        {
            return AdapterOperation.Refused(400, $"'{ClientText.Bound(unknown ?? "")}' is not an instance of a backend serving '{baseModel}'.", "instances");
        }
        var wasRegistered = catalog.Registered.Any(r => r.Name == request.Name);
        if (request.Register && await RegisterAsync(actor, adapter) is { } notRegistered)
        {
            return notRegistered;
        }
        var outcomes = await Task.WhenAll(targets.Select(async i => new InstanceOutcome(i.Name, await loader.LoadAsync(i, adapter, cancellationToken))));
        var registered = request.Register;
        if (registered && !wasRegistered && !IsDeclared(request.Name) && outcomes.Length > 0 && outcomes.All(o => !o.Result.Succeeded))
        {
            // Failed everywhere: not kept, or every request for it would try (and fail) again.
            registered = !(await DeregisterAsync(actor, request.Name, "load failed on every instance")).Succeeded;
        }
        return new AdapterOperation(200, null, null, outcomes, registered || IsDeclared(request.Name));
    }

    public async Task<AdapterOperation> UnloadAsync(string actor, string name, IReadOnlyList<string>? instances, CancellationToken cancellationToken)
    {
        if (!AdapterFileLoader.IsName(name))
        {
            return AdapterOperation.Refused(404, $"There is no adapter '{ClientText.Bound(name)}'.");
        }
        var named = instances?.Distinct(StringComparer.Ordinal).ToList();
        // Every instance may hold it (loaded on an engine directly, or on demand); those that do not are skipped.
        var targets = pool.All.Where(i => named is null || named.Contains(i.Name)).ToList();
        if (named is not null && targets.Count != named.Count)
        {
            return AdapterOperation.Refused(400, $"'{ClientText.Bound(named.First(n => targets.All(h => h.Name != n)))}' is not a backend instance.", "instances");
        }
        var registered = catalog.Registered.Any(r => r.Name == name);
        if (!registered && !catalog.TryGet(name, out _) && !targets.Any(i => i.HoldsAdapter(name)))
        {
            return AdapterOperation.Refused(404, $"There is no adapter '{name}'.");
        }
        // Out of the catalogue first: a load on demand that has not started yet will not start.
        var deregister = named is null && registered;
        if (deregister && await DeregisterAsync(actor, name, null) is { Succeeded: false } removed)
        {
            return AdapterOperation.Refused(removed.Status, removed.Error!);
        }
        var results = await Task.WhenAll(targets.Select(async i => (i.Name, Result: await loader.UnloadAsync(i, name, $"by {actor}", cancellationToken))));
        var outcomes = results.Where(r => r.Result is not null).Select(r => new InstanceOutcome(r.Name, r.Result!.Value)).ToList();
        return new AdapterOperation(200, null, null, outcomes, IsDeclared(name) || (!deregister && registered));
    }

    private Task<EditResult> DeregisterAsync(string actor, string name, string? why) =>
        editor.EditAsync(actor, "deregister", name, file =>
        {
            file.Adapters.RemoveAll(a => a.Name == name);
            return EditResult.Ok();
        }, why is null ? null : new Dictionary<string, string?> { ["reason"] = why });

    // config.yaml declares it: it stays in the catalogue whatever the admin API does.
    private bool IsDeclared(string name) => catalog.TryGet(name, out var adapter) && adapter.Source == "config";

    private AdapterOperation? Check(AdapterLoadRequest request)
    {
        if (!AdapterFileLoader.IsName(request.Name))
        {
            return AdapterOperation.Refused(400, $"'name' must be {AdapterName.Rule}.", "name");
        }
        if (string.IsNullOrWhiteSpace(request.Path) || request.Path.Length > AdapterName.MaxPathLength)
        {
            return AdapterOperation.Refused(400, $"'path' is required: where the engines find the adapter (at most {AdapterName.MaxPathLength} characters).", "path");
        }
        if (request.BaseModel is null == (request.Backend is null))
        {
            return AdapterOperation.Refused(400, "Give exactly one of 'base_model' and 'backend'.", "base_model");
        }
        if (request.Instances is not null && request.Instances.Any(string.IsNullOrEmpty))
        {
            return AdapterOperation.Refused(400, "'instances' must hold instance names.", "instances");
        }
        if (config.CurrentValue.Backends.Any(b => b.EffectiveServedModelName == request.Name)
            || (routes.Current.TryGet(request.Name, out var route) && route.Parent is null && route.Adapter is null))
        {
            return AdapterOperation.Refused(409, $"'{request.Name}' is the name of a base model or of a mapped route.", "name");
        }
        if (catalog.TryGet(request.Name, out var known) && known.Path != request.Path)
        {
            return known.Source == "config"
                ? AdapterOperation.Refused(409, $"The adapter '{request.Name}' is declared in config.yaml with another path; change it there.", "path")
                : AdapterOperation.Refused(409, $"The adapter '{request.Name}' is registered with the path '{ClientText.Bound(known.Path)}'; unload it first to change it.", "path");
        }
        return null;
    }

    private List<BackendSettings> BackendsFor(AdapterLoadRequest request, out string baseModel)
    {
        var backends = config.CurrentValue.Backends
            .Where(b => request.Backend is { } name ? b.Name == name : b.EffectiveServedModelName == request.BaseModel)
            .ToList();
        baseModel = backends.Count > 0 ? backends[0].EffectiveServedModelName : request.BaseModel ?? "";
        return backends;
    }

    private List<BackendInstance>? Targets(List<BackendSettings> backends, IReadOnlyList<string>? names, out string? unknown)
    {
        unknown = null;
        var all = backends.SelectMany(b => pool.Of(b.Name)).ToList();
        if (names is null)
        {
            return all;
        }
        unknown = names.FirstOrDefault(n => all.All(i => i.Name != n));
        return unknown is null ? [.. all.Where(i => names.Contains(i.Name))] : null;
    }

    private async Task<AdapterOperation?> RegisterAsync(string actor, CatalogAdapter adapter)
    {
        if (adapter.Source == "config" || (catalog.TryGet(adapter.Name, out var known) && known.Source == "config"))
        {
            return null;
        }
        var saved = await editor.EditAsync(actor, "register", adapter.Name, file =>
        {
            file.Adapters.RemoveAll(a => a.Name == adapter.Name);
            file.Adapters.Add(new AdapterRegistration
            {
                Name = adapter.Name,
                Path = adapter.Path,
                BaseModel = adapter.BaseModel,
                Backends = adapter.Backends.Count > 0 ? [.. adapter.Backends] : null,
                RegisteredBy = actor,
                RegisteredAt = DateTimeOffset.UtcNow,
            });
            return EditResult.Ok();
        }, new Dictionary<string, string?> { ["path"] = adapter.Path, ["base_model"] = adapter.BaseModel });
        return saved.Succeeded ? null : AdapterOperation.Refused(saved.Status, saved.Error!);
    }
}
