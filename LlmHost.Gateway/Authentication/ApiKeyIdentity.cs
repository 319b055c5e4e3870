using System.Security.Claims;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Authentication;

/// <summary>The identity of an authenticated request: the key itself (id, role, models, limits) and the usual claims.</summary>
public sealed class ApiKeyIdentity : ClaimsIdentity
{
    public ApiKeyIdentity(ApiKey key)
        : base([new Claim(ClaimTypes.NameIdentifier, key.Id), new Claim(ClaimTypes.Role, key.Role)], ApiKeyDefaults.Scheme, ClaimTypes.NameIdentifier, ClaimTypes.Role)
    {
        Key = key;
    }

    public ApiKey Key { get; }
}
