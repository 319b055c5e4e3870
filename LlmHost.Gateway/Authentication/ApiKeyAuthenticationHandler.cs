using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using LlmHost.Gateway.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Authentication;

/// <summary>
/// The ASP.NET Core authentication scheme for API keys (see <see cref="ApiKeyAuthenticator"/> for the check): a
/// missing, malformed, unknown, expired or disabled key, or two different keys in one request → 401 in OpenAI's
/// shape; a user key on an admin route → 403. No message ever contains the secret.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeySnapshot> keys,
    TimeProvider time) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, loggerFactory, encoder)
{
    // One principal per key, built once: a new principal, identity and claims per request were a measurable part of
    // the gateway's cost per request, and nothing in the pipeline changes them. Forgotten with the key.
    private static readonly ConditionalWeakTable<ApiKey, ClaimsPrincipal> Principals = [];

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var check = ApiKeyAuthenticator.Check(Request.Headers, keys.CurrentValue, time.GetUtcNow());
        return Task.FromResult(check.Key is { } key
            ? AuthenticateResult.Success(new AuthenticationTicket(Principals.GetValue(key, static k => new ClaimsPrincipal(new ApiKeyIdentity(k))), ApiKeyDefaults.Scheme))
            : AuthenticateResult.Fail(check.Failure!));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceAsync();
        await AuthenticationErrors.InvalidApiKeyAsync(Context, result.Failure?.Message ?? "You didn't provide an API key.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthenticationErrors.AdminRequiredAsync(Context);
}
