using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Apis.Contracts;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability.AccessLogging;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Apis;

/// <summary><c>/admin</c> status: reload, backends with health, the routing table, usage per key, limits, log files, health of the files.</summary>
public static class AdminStatusApi
{
    public static RouteGroupBuilder MapAdminStatusApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/reload", Reload);
        admin.MapGet("/backends", Backends);
        admin.MapGet("/routes", Routes);
        admin.MapGet("/usage", Usage);
        admin.MapGet("/limits", Limits);
        admin.MapGet("/logs", (AccessLogWriter accessLog) =>
            TypedResults.Json(LogFileStatistics.Read(accessLog.Directory, "access-"), AdminJsonContext.Default.LogFileStatistics));
        admin.MapGet("/health", Health);
        return admin;
    }

    private static IResult Reload(ReloadableFile<LlmHostConfig> config, ReloadableFile<ApiKeySnapshot> keys)
    {
        var configOk = config.TryReload();
        var keysOk = keys.TryReload();
        var health = HealthOf(config, keys);
        return TypedResults.Json(health, AdminJsonContext.Default.AdminHealth, statusCode: configOk && keysOk ? 200 : 422);
    }

    private static IResult Backends(BackendPool pool)
    {
        var views = new List<BackendView>();
        foreach (var instance in pool.All)
        {
            views.Add(new BackendView
            {
                Instance = instance.Name,
                Backend = instance.Backend.Name,
                Engine = instance.Backend.Profile.Name,
                Address = instance.Address,
                Reachable = instance.Reachable,
                Ejected = instance.Ejected,
                Outstanding = instance.Outstanding,
                SleepState = AdminEnginesApi.SleepStateName(instance.Sleep),
                Models = instance.Models.Select(m => m.Id).ToList(),
            });
        }
        return TypedResults.Json(views, AdminJsonContext.Default.ListBackendView);
    }

    private static IResult Routes(RouteRegistry routes)
    {
        var views = routes.Current.Entries
            .OrderBy(e => e.Model, StringComparer.Ordinal)
            .Select(e => new RouteView { Model = e.Model, Source = e.Source switch { RouteSource.Mapping => "mapping", RouteSource.Catalog => "adapter catalog", _ => "discovery" }, Parent = e.Parent, Instances = e.Instances.Select(i => i.Name).ToList() })
            .ToList();
        return TypedResults.Json(views, AdminJsonContext.Default.ListRouteView);
    }

    // In Redis mode the per-key figures are this replica's fallback state; Redis holds the shared ones.
    private static IResult Limits(MemoryLimitStore memory, ILimitStore store)
    {
        var snapshot = memory.Snapshot();
        var redis = store as RedisLimitStore;
        var view = new LimitsView
        {
            Store = redis is null ? "memory" : "redis",
            Shared = redis?.IsShared,
            RedisLeases = redis?.HeldLeases,
            GlobalActiveLeases = snapshot.GlobalActiveLeases,
        };
        foreach (var key in snapshot.Keys.OrderBy(k => k.KeyId, StringComparer.Ordinal))
        {
            view.Keys.Add(new KeyLimitsView
            {
                Id = key.KeyId,
                ActiveLeases = key.ActiveLeases,
                OpenReservations = key.OpenReservations,
                ReservedTokens = key.ReservedTokens,
                RequestsRemaining = key.State.RequestsLimit > 0 ? key.State.RequestsRemaining : null,
                TokensRemaining = key.State.TokensLimit > 0 ? key.State.TokensRemaining : null,
                ConcurrencyRemaining = key.State.ConcurrencyLimit > 0 ? key.State.ConcurrencyRemaining : null,
            });
        }
        return TypedResults.Json(view, AdminJsonContext.Default.LimitsView);
    }

    private static IResult Usage(KeyUsageTracker usage)
    {
        var views = usage.Snapshot()
            .OrderBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => new UsageView
            {
                KeyId = u.Key,
                Requests = Interlocked.Read(ref u.Value.Requests),
                Errors = Interlocked.Read(ref u.Value.Errors),
                Aborted = Interlocked.Read(ref u.Value.Aborted),
                Rejections = Interlocked.Read(ref u.Value.Rejections),
                PromptTokens = Interlocked.Read(ref u.Value.PromptTokens),
                CompletionTokens = Interlocked.Read(ref u.Value.CompletionTokens),
            })
            .ToList();
        return TypedResults.Json(views, AdminJsonContext.Default.ListUsageView);
    }

    private static IResult Health(ReloadableFile<LlmHostConfig> config, ReloadableFile<ApiKeySnapshot> keys) =>
        TypedResults.Json(HealthOf(config, keys), AdminJsonContext.Default.AdminHealth);

    private static AdminHealth HealthOf(ReloadableFile<LlmHostConfig> config, ReloadableFile<ApiKeySnapshot> keys) => new()
    {
        Status = config.LastError is null && keys.LastError is null ? "ok" : "degraded",
        ConfigPath = config.Path,
        ConfigError = config.LastError,
        KeysPath = keys.Path,
        KeysError = keys.LastError,
        Keys = keys.Current.Keys.Count,
        KeysLoadedAt = keys.LoadedAt,
    };
}
