using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Authentication;

public static class ApiKeyHttpContextExtensions
{
    /// <summary>The key that authenticated this request, or null.</summary>
    public static ApiKey? GetApiKey(this HttpContext context) => (context.User.Identity as ApiKeyIdentity)?.Key;
}
