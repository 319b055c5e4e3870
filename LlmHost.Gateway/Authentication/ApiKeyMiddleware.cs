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
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequirement>() is not { } requirement)
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
}
