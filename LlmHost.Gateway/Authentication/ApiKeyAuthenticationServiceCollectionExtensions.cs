using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmHost.Gateway.Authentication;

public static class ApiKeyAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// The key file (loaded by the start-up step and reloaded when it changes), its authentication scheme, the admin
    /// policy, and the admin edits of the file (serialized across processes, audited).
    /// </summary>
    public static IHostApplicationBuilder AddApiKeyAuthentication(this IHostApplicationBuilder builder, string path, LoadedFile<ApiKeySnapshot> atStart)
    {
        var services = builder.Services;
        services.AddReloadableFile(path, atStart, ApiKeyFileLoader.LoadFile);
        services.TryAddSingleton(TimeProvider.System);
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyDefaults.Scheme).RequireAuthenticatedUser().RequireRole(ApiKeyRoles.Admin));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ApiKeyFileEditor>();
        return builder;
    }
}
