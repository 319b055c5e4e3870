using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmHost.Gateway.Authentication;

public static class ApiKeyAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// The key file (loaded by the start-up step and reloaded when it changes) and the admin edits of the file
    /// (serialized across processes, audited); <see cref="UseApiKeys"/> checks the keys.
    /// </summary>
    public static IHostApplicationBuilder AddApiKeyAuthentication(this IHostApplicationBuilder builder, string path, LoadedFile<ApiKeySnapshot> atStart)
    {
        var services = builder.Services;
        services.AddReloadableFile(path, atStart, ApiKeyFileLoader.LoadFile);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ApiKeyFileEditor>();
        return builder;
    }

    /// <summary>The key check of the routes that need one (<see cref="ApiKeyRequirementExtensions.RequireApiKey"/>).</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyMiddleware>();
}
