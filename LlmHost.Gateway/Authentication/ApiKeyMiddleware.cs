using System.Runtime.CompilerServices;
using System.Security.Claims;
using LlmHost.Gateway.Keys;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Authentication;

/// <summary>
/// Authentication and authorization of the routes that need an API key (<see cref="ApiKeyRequirement"/>), in one
/// synchronous step (see <see cref="ApiKeyAuthenticator"/> for the check): a missing, malformed, unknown, expired or
/// disabled key, or two different keys in one request → 401 in the API's error shape; a user key on an admin route →
/// 403. No message ever contains the secret. The key's principal becomes <see cref="HttpContext.User"/>, the key itself a feature (<see cref="ApiKeyHttpContextExtensions.GetApiKey"/>). ASP.NET Core's
/// authentication and authorization middleware did the same in four async steps, a handler instance, a scope and
/// a policy evaluation per request — about 2 KB of allocations, for one key check.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IOptionsMonitor<ApiKeySnapshot> keys, TimeProvider time)
{
    // One principal per key, built once (nothing in the pipeline changes it); forgotten with the key.
    private static readonly ConditionalWeakTable<ApiKey, ClaimsPrincipal> Principals = [];

    public Task InvokeAsync(HttpContext context)
    {
        if (RequirementOf(context) is not { } requirement)
        {
            return next(context);
        }
        var check = ApiKeyAuthenticator.Check(context.Request.Headers, keys.CurrentValue, time.GetUtcNow());
        if (check.Key is not { } key)
        {
            return AuthenticationErrors.InvalidApiKeyAsync(context, check.Failure!);
        }
        context.User = Principals.GetValue(key, static k => new ClaimsPrincipal(new ApiKeyIdentity(k)));
        context.Features.Set(key);
        if (requirement.Admin && key.Role != ApiKeyRoles.Admin)
        {
            return AuthenticationErrors.AdminRequiredAsync(context);
        }
        return next(context);
    }

    /// <summary>
    /// What the request needs: its endpoint's requirements (admin if any says so), else — for a path under
    /// <c>/v1</c> or <c>/admin</c> that matched no endpoint, a method the route does not take (405), or a pipeline
    /// without routing — what its prefix needs, so that no client path is ever answered without a key and every line
    /// of a keyed request names its key.
    /// </summary>
    private static ApiKeyRequirement? RequirementOf(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetOrderedMetadata<ApiKeyRequirement>() is { Count: > 0 } requirements)
        {
            for (var i = 0; i < requirements.Count; i++)
            {
                if (requirements[i].Admin)
                {
                    return requirements[i];
                }
            }
            return requirements[0];
        }
        var path = context.Request.Path;
        return path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) ? ApiKeyRequirement.AnyKey
            : path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) ? ApiKeyRequirement.AdminKey
            : null;
    }
}
