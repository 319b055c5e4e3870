using System.Text.Json;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Observability.AccessLogging;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Admin;

/// <summary>
/// <c>/admin/*</c>, admin keys only: the key lifecycle (list, create, update, rotate, disable, enable, delete), reload,
/// backends with health, the routing table, usage per key, and the state of the configuration files.
/// </summary>
public static class AdminApi
{
    /// <summary>Longest overlap of a rotated key's old and new secrets.</summary>
    public const int MaxOverlapSeconds = 30 * 24 * 3600;

    /// <summary>Largest admin request body: a key's settings fit in far less.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(ApiKeyDefaults.AdminPolicy);
        admin.MapGet("/keys", ListKeys);
        admin.MapPost("/keys", CreateKeyAsync);
        admin.MapPatch("/keys/{id}", UpdateKeyAsync);
        admin.MapPost("/keys/{id}/rotate", RotateKeyAsync);
        admin.MapPost("/keys/{id}/disable", (HttpContext c, string id, ApiKeyFileEditor e) => SetDisabledAsync(c, id, e, true));
        admin.MapPost("/keys/{id}/enable", (HttpContext c, string id, ApiKeyFileEditor e) => SetDisabledAsync(c, id, e, false));
        admin.MapDelete("/keys/{id}", DeleteKeyAsync);
        admin.MapPost("/reload", Reload);
        admin.MapGet("/backends", Backends);
        admin.MapGet("/routes", Routes);
        admin.MapGet("/usage", Usage);
        admin.MapGet("/limits", Limits);
        admin.MapGet("/logs", (AccessLogWriter accessLog) =>
            TypedResults.Json(LogFileStatistics.Read(accessLog.Directory, "access-"), AdminJsonContext.Default.LogFileStatistics));
        admin.MapGet("/health", Health);
        return app;
    }

    private static string Actor(HttpContext context) => context.GetApiKey()?.Id ?? "unknown";

    private static IResult ListKeys(ApiKeyStore store)
    {
        var file = ApiKeyFileLoader.Load(File.ReadAllBytes(store.Path)).File;
        var list = new KeyList();
        foreach (var entry in file?.Keys ?? [])
        {
            list.Keys.Add(KeyView.Of(entry));
        }
        return TypedResults.Json(list, AdminJsonContext.Default.KeyList);
    }

    private static async Task CreateKeyAsync(HttpContext context, ApiKeyFileEditor editor)
    {
        if (await ReadAsync(context, AdminJsonContext.Default.KeyRequest) is not { } request)
        {
            return;
        }
        var id = request.Id ?? "";
        if (!ApiKeyFileLoader.IdPattern().IsMatch(id))
        {
            await OpenAIErrors.BadRequestAsync(context, "'id' must be 1 to 32 lower-case letters, digits, '_' or '-'.", "id");
            return;
        }
        var role = request.Role ?? ApiKeyRoles.User;
        if (role is not (ApiKeyRoles.Admin or ApiKeyRoles.User))
        {
            await OpenAIErrors.BadRequestAsync(context, "'role' must be admin or user.", "role");
            return;
        }
        var secret = ApiKeySecret.Generate(id);
        var result = await editor.EditAsync(Actor(context), "create", id, file =>
        {
            if (file.Keys.Exists(k => k.Id == id))
            {
                return new EditResult(StatusCodes.Status409Conflict, $"A key '{id}' exists already.");
            }
            var entry = new ApiKeyEntry
            {
                Id = id,
                Name = request.Name ?? id,
                Role = role,
                KeySha256 = Sha256Hash.Of(secret).ToHex(),
                Models = request.Models ?? ["*"],
                ExpiresAt = request.ExpiresAt,
                Limits = request.Limits,
                LogBodies = request.LogBodies == true ? true : null,
                CreatedAt = DateTimeOffset.UtcNow,
            };
            file.Keys.Add(entry);
            return new EditResult(StatusCodes.Status201Created, null, new KeyWithSecret { Key = KeyView.Of(entry), Secret = secret });
        }, () => new Dictionary<string, string?> { ["role"] = role, ["models"] = string.Join(',', request.Models ?? ["*"]) });
        await WriteAsync(context, result);
    }

    private static async Task UpdateKeyAsync(HttpContext context, string id, ApiKeyFileEditor editor)
    {
        if (await ReadAsync(context, AdminJsonContext.Default.KeyRequest) is not { } request)
        {
            return;
        }
        if (request.Role is not null && request.Role is not (ApiKeyRoles.Admin or ApiKeyRoles.User))
        {
            await OpenAIErrors.BadRequestAsync(context, "'role' must be admin or user.", "role");
            return;
        }
        var result = await editor.EditAsync(Actor(context), "update", id, file =>
        {
            if (file.Keys.Find(k => k.Id == id) is not { } entry)
            {
                return EditResult.NotFound(id);
            }
            entry.Name = request.Name ?? entry.Name;
            entry.Role = request.Role ?? entry.Role;
            entry.Models = request.Models ?? entry.Models;
            entry.Limits = request.Limits ?? entry.Limits;
            entry.LogBodies = request.LogBodies is { } logBodies ? (logBodies ? true : null) : entry.LogBodies;
            entry.ExpiresAt = request.ClearExpiry == true ? null : request.ExpiresAt ?? entry.ExpiresAt;
            return EditResult.Ok(KeyView.Of(entry));
        }, () => Changed(request));
        await WriteAsync(context, result);
    }

    private static async Task RotateKeyAsync(HttpContext context, string id, ApiKeyFileEditor editor, GatewayConfigProvider config)
    {
        var request = context.Request.ContentLength is > 0 ? await ReadAsync(context, AdminJsonContext.Default.RotateRequest) : new RotateRequest();
        if (request is null)
        {
            return;
        }
        if (request.OverlapSeconds is < 0 or > MaxOverlapSeconds)
        {
            await OpenAIErrors.BadRequestAsync(context, $"'overlap_seconds' must be between 0 and {MaxOverlapSeconds} (30 days).", "overlap_seconds");
            return;
        }
        var overlap = request.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : config.Current.KeyRotationOverlap;
        var secret = ApiKeySecret.Generate(id);
        var result = await editor.EditAsync(Actor(context), "rotate", id, file =>
        {
            if (file.Keys.Find(k => k.Id == id) is not { } entry)
            {
                return EditResult.NotFound(id);
            }
            var now = DateTimeOffset.UtcNow;
            entry.PreviousKeySha256 = overlap > TimeSpan.Zero ? entry.KeySha256 : null;
            entry.PreviousValidUntil = overlap > TimeSpan.Zero ? now + overlap : null;
            entry.KeySha256 = Sha256Hash.Of(secret).ToHex();
            entry.Key = null;
            entry.RotatedAt = now;
            return EditResult.Ok(new KeyWithSecret { Key = KeyView.Of(entry), Secret = secret });
        }, () => new Dictionary<string, string?> { ["overlap_seconds"] = overlap.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await WriteAsync(context, result);
    }

    private static async Task SetDisabledAsync(HttpContext context, string id, ApiKeyFileEditor editor, bool disabled)
    {
        var result = await editor.EditAsync(Actor(context), disabled ? "disable" : "enable", id, file =>
        {
            if (file.Keys.Find(k => k.Id == id) is not { } entry)
            {
                return EditResult.NotFound(id);
            }
            entry.Disabled = disabled;
            return EditResult.Ok(KeyView.Of(entry));
        });
        await WriteAsync(context, result);
    }

    private static async Task DeleteKeyAsync(HttpContext context, string id, ApiKeyFileEditor editor)
    {
        if (id == Actor(context))
        {
            await OpenAIErrors.WriteAsync(context, StatusCodes.Status409Conflict, "An admin key cannot delete itself.", OpenAIErrors.InvalidRequest, "conflict");
            return;
        }
        var result = await editor.EditAsync(Actor(context), "delete", id, file =>
            file.Keys.RemoveAll(k => k.Id == id) == 0 ? EditResult.NotFound(id) : new EditResult(StatusCodes.Status204NoContent));
        await WriteAsync(context, result);
    }

    private static IResult Reload(GatewayConfigProvider config, ApiKeyStore keys)
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
                Models = instance.Models.Select(m => m.Id).ToList(),
            });
        }
        return TypedResults.Json(views, AdminJsonContext.Default.ListBackendView);
    }

    private static IResult Routes(RouteRegistry routes)
    {
        var views = routes.Current.Entries
            .OrderBy(e => e.Model, StringComparer.Ordinal)
            .Select(e => new RouteView { Model = e.Model, Source = e.Source == RouteSource.Mapping ? "mapping" : "discovery", Parent = e.Parent, Instances = e.Instances.Select(i => i.Name).ToList() })
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

    private static IResult Health(GatewayConfigProvider config, ApiKeyStore keys) =>
        TypedResults.Json(HealthOf(config, keys), AdminJsonContext.Default.AdminHealth);

    private static AdminHealth HealthOf(GatewayConfigProvider config, ApiKeyStore keys) => new()
    {
        Status = config.LastError is null && keys.LastError is null ? "ok" : "degraded",
        ConfigPath = config.Current.Path,
        ConfigError = config.LastError,
        KeysPath = keys.Path,
        KeysError = keys.LastError,
        Keys = keys.Current.Keys.Count,
        KeysLoadedAt = keys.LoadedAt,
    };

    private static Dictionary<string, string?> Changed(KeyRequest request)
    {
        var changed = new Dictionary<string, string?>();
        if (request.Name is not null) { changed["name"] = request.Name; }
        if (request.Role is not null) { changed["role"] = request.Role; }
        if (request.Models is not null) { changed["models"] = string.Join(',', request.Models); }
        if (request.Limits is not null) { changed["limits"] = "changed"; }
        if (request.LogBodies is not null) { changed["log_bodies"] = request.LogBodies.Value ? "true" : "false"; }
        if (request.ExpiresAt is not null || request.ClearExpiry == true) { changed["expires_at"] = request.ExpiresAt?.ToString("o"); }
        return changed;
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, MaxBodyBytes);
            return null;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        try
        {
            if (await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted) is { } value)
            {
                return value;
            }
        }
        catch (JsonException ex)
        {
            await OpenAIErrors.BadRequestAsync(context,
                $"The body is not valid JSON for this route ({Utilities.ClientText.Bound(ex.Path ?? "$")}: {Utilities.ClientText.Bound(ex.Message.Split(". ")[0])}).");
            return null;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, MaxBodyBytes);
            return null;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape in a string.
            await OpenAIErrors.BadRequestAsync(context, "The body holds a string that is not valid Unicode text.");
            return null;
        }
        await OpenAIErrors.BadRequestAsync(context, "The body must be a JSON object.");
        return null;
    }

    private static async Task WriteAsync(HttpContext context, EditResult result)
    {
        if (!result.Succeeded)
        {
            await OpenAIErrors.WriteAsync(context, result.Status, result.Error!, result.Status >= 500 ? OpenAIErrors.ServerError : OpenAIErrors.InvalidRequest,
                result.Status switch
                {
                    StatusCodes.Status404NotFound => "key_not_found",
                    StatusCodes.Status409Conflict => "conflict",
                    StatusCodes.Status503ServiceUnavailable => "key_file_busy",
                    _ => null,
                });
            return;
        }
        context.Response.StatusCode = result.Status;
        switch (result.Value)
        {
            case KeyWithSecret withSecret:
                await context.Response.WriteAsJsonAsync(withSecret, AdminJsonContext.Default.KeyWithSecret);
                break;
            case KeyView view:
                await context.Response.WriteAsJsonAsync(view, AdminJsonContext.Default.KeyView);
                break;
        }
    }
}
