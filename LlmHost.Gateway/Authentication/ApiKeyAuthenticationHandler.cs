using System.Text.Encodings.Web;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Authentication;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates <c>Authorization: Bearer KEY</c> (what the OpenAI SDKs send) or <c>x-api-key: KEY</c> against the key
/// file: SHA-256 of the secret, O(1) lookup, constant-time comparison. Two different keys in one request, a missing,
/// malformed, unknown, expired or disabled key → 401 in OpenAI's shape. No message ever contains the secret.
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
        var headers = Request.Headers;
        var authorization = headers.Authorization;
        var apiKeyHeader = headers[ApiKeyDefaults.HeaderName];
        if (authorization.Count > 1 || apiKeyHeader.Count > 1)
        {
            return Fail("More than one API key was sent. Send one key, in Authorization: Bearer or in x-api-key.");
        }

        string? bearer = null;
        if (authorization.Count == 1)
        {
            var value = authorization[0] ?? "";
            if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.AsSpan(7).Trim().IsEmpty)
            {
                return Fail("The Authorization header must be 'Bearer YOUR_API_KEY'.");
            }
            bearer = value[7..].Trim();
        }
        var header = apiKeyHeader.Count == 1 ? apiKeyHeader[0]?.Trim() : null;
        if (bearer is not null && !string.IsNullOrEmpty(header) && bearer != header)
        {
            return Fail("Two different API keys were sent (Authorization and x-api-key). Send one key.");
        }
        var secret = bearer ?? header;
        if (string.IsNullOrEmpty(secret))
        {
            return Fail("You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_API_KEY' (or in x-api-key).");
        }

        var status = store.Current.Lookup(secret, time.GetUtcNow(), out var key);
        return status switch
        {
            KeyLookupStatus.Valid => Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(key!.Principal, ApiKeyDefaults.Scheme))),
            KeyLookupStatus.Expired => Fail($"The API key '{key!.Id}' expired at {key.ExpiresAt:u}."),
            KeyLookupStatus.Disabled => Fail($"The API key '{key!.Id}' is disabled."),
            _ => Fail(ApiKeySecret.PublicIdOf(secret) is { } id && ApiKeyFileLoader.IdPattern().IsMatch(id)
                ? $"Incorrect API key provided for key id '{id}'."
                : "Incorrect API key provided."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceAsync();
        await OpenAIErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            result.Failure?.Message ?? "You didn't provide an API key.", OpenAIErrors.InvalidRequest, "invalid_api_key",
            headers: response => response.Headers.WWWAuthenticate = "Bearer");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        OpenAIErrors.WriteAsync(Context, StatusCodes.Status403Forbidden,
            "This route needs an API key with the admin role.", "permission_error", "admin_required");

    private static Task<AuthenticateResult> Fail(string message) => Task.FromResult(AuthenticateResult.Fail(message));
}
