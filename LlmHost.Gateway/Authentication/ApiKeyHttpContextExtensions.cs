using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Authentication;

public static class ApiKeyHttpContextExtensions
{
    /// <summary>The key that authenticated this request, or null.</summary>
    // A feature rather than the principal's identity: ClaimsPrincipal.Identity enumerates the identities (an allocated
    // enumerator) at every call, and a request asks several times.
    public static ApiKey? GetApiKey(this HttpContext context) => context.Features.Get<ApiKey>();
}
