using LlmHost.Gateway.Errors;

namespace LlmHost.Gateway.Authentication;

/// <summary>The answers of a refused key, in OpenAI's shape.</summary>
public static class AuthenticationErrors
{
    /// <summary>401 for a refused key, with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static Task InvalidApiKeyAsync(HttpContext context, string message) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, message, OpenAIErrors.InvalidRequest, "invalid_api_key",
            headers: static response => response.Headers.WWWAuthenticate = "Bearer");

    /// <summary>403 for a user key on an admin route.</summary>
    public static Task AdminRequiredAsync(HttpContext context) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
            "This route needs an API key with the admin role.", "permission_error", "admin_required");
}
