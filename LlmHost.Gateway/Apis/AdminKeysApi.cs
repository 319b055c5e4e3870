using LlmHost.Gateway.Apis.Contracts;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// <c>/admin/keys</c>: the key lifecycle — list, create (the secret shown once), update, rotate, disable, enable,
/// delete — through <see cref="ApiKeyFileEditor"/> (serialized across processes, atomic, audited).
/// </summary>
public static class AdminKeysApi
{
    /// <summary>Longest overlap of a rotated key's old and new secrets.</summary>
    public const int MaxOverlapSeconds = 30 * 24 * 3600;

    public static RouteGroupBuilder MapAdminKeysApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/keys", ListKeys);
        admin.MapPost("/keys", CreateKeyAsync);
        admin.MapPatch("/keys/{id}", UpdateKeyAsync);
        admin.MapPost("/keys/{id}/rotate", RotateKeyAsync);
        admin.MapPost("/keys/{id}/disable", (HttpContext c, string id, ApiKeyFileEditor e) => SetDisabledAsync(c, id, e, true));
        admin.MapPost("/keys/{id}/enable", (HttpContext c, string id, ApiKeyFileEditor e) => SetDisabledAsync(c, id, e, false));
        admin.MapDelete("/keys/{id}", DeleteKeyAsync);
        return admin;
    }

    private static string Actor(HttpContext context) => context.GetApiKey()?.Id ?? "unknown";

    private static IResult ListKeys(ReloadableFile<ApiKeySnapshot> keys)
    {
        var file = ApiKeyFileLoader.Load(File.ReadAllBytes(keys.Path)).File;
        var list = new KeyList();
        foreach (var entry in file?.Keys ?? [])
        {
            list.Keys.Add(KeyView.Of(entry));
        }
        return TypedResults.Json(list, AdminJsonContext.Default.KeyList);
    }

    private static async Task CreateKeyAsync(HttpContext context, ApiKeyFileEditor editor)
    {
        if (await AdminBodies.ReadAsync(context, AdminJsonContext.Default.KeyRequest) is not { } request)
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
        await AdminBodies.WriteAsync(context, result);
    }

    private static async Task UpdateKeyAsync(HttpContext context, string id, ApiKeyFileEditor editor)
    {
        if (await AdminBodies.ReadAsync(context, AdminJsonContext.Default.KeyRequest) is not { } request)
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
        await AdminBodies.WriteAsync(context, result);
    }

    private static async Task RotateKeyAsync(HttpContext context, string id, ApiKeyFileEditor editor, Microsoft.Extensions.Options.IOptionsMonitor<LlmHost.Backends.Configuration.LlmHostConfig> config)
    {
        var request = context.Request.ContentLength is > 0 ? await AdminBodies.ReadAsync(context, AdminJsonContext.Default.RotateRequest) : new RotateRequest();
        if (request is null)
        {
            return;
        }
        if (request.OverlapSeconds is < 0 or > MaxOverlapSeconds)
        {
            await OpenAIErrors.BadRequestAsync(context, $"'overlap_seconds' must be between 0 and {MaxOverlapSeconds} (30 days).", "overlap_seconds");
            return;
        }
        var overlap = request.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : config.CurrentValue.Gateway.KeyRotationOverlap;
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
        await AdminBodies.WriteAsync(context, result);
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
        await AdminBodies.WriteAsync(context, result);
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
        await AdminBodies.WriteAsync(context, result);
    }

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
}
