using LlmHost.Gateway.Keys;
using Microsoft.Extensions.Primitives;

namespace LlmHost.Gateway.Authentication;

/// <summary>
/// The key check of <see cref="ApiKeyMiddleware"/>, kept free of the middleware so that it can be tested and
/// measured alone: <c>Authorization: Bearer</c> or <c>x-api-key</c>, one key per request, SHA-256, O(1) lookup,
/// constant-time check.
/// </summary>
public static class ApiKeyAuthenticator
{
    public static ApiKeyCheck Check(IHeaderDictionary headers, ApiKeySnapshot keys, DateTimeOffset now)
    {
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
        var header = Single(apiKeyHeader);
        if (bearer is not null && !string.IsNullOrEmpty(header) && bearer != header)
        {
            return Fail("Two different API keys were sent (Authorization and x-api-key). Send one key.");
        }
        var secret = bearer ?? header;
        if (string.IsNullOrEmpty(secret))
        {
            return Fail("You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_API_KEY' (or in x-api-key).");
        }

        return keys.Lookup(secret, now, out var key) switch
        {
            KeyLookupStatus.Valid => new ApiKeyCheck(key, null),
            KeyLookupStatus.Expired => Fail($"The API key '{key!.Id}' expired at {key.ExpiresAt:u}."),
            KeyLookupStatus.Disabled => Fail($"The API key '{key!.Id}' is disabled."),
            _ => Fail(ApiKeySecret.PublicIdOf(secret) is { } id && ApiKeyFileLoader.IdPattern().IsMatch(id)
                ? $"Incorrect API key provided for key id '{id}'."
                : "Incorrect API key provided."),
        };
    }

    private static string? Single(StringValues values) => values.Count == 1 ? values[0]?.Trim() : null;

    private static ApiKeyCheck Fail(string message) => new(null, message);
}
