using System.Text.Encodings.Web;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Authentication;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// The ASP.NET Core authentication scheme for API keys (see <see cref="ApiKeyAuthenticator"/> for the check): a
/// missing, malformed, unknown, expired or disabled key, or two different keys in one request → 401 in OpenAI's
/// shape; a user key on an admin route → 403. No message ever contains the secret.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore store,
    TimeProvider time) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var check = ApiKeyAuthenticator.Check(Request.Headers, store.Current, time.GetUtcNow());
        return Task.FromResult(check.Succeeded
            ? AuthenticateResult.Success(new AuthenticationTicket(check.Key!.Principal, ApiKeyDefaults.Scheme))
            : AuthenticateResult.Fail(check.Failure!));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceAsync();
        await OpenAIErrors.InvalidApiKeyAsync(Context, result.Failure?.Message ?? "You didn't provide an API key.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        OpenAIErrors.WriteAsync(Context, StatusCodes.Status403Forbidden,
            "This route needs an API key with the admin role.", "permission_error", "admin_required");
}
