using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Adapters;

public static class AdaptersServiceCollectionExtensions
{
    /// <summary>
    /// The adapter catalogue (config.yaml's adapters and <c>adapters.json</c>, loaded by the start-up step and
    /// reloaded when it changes), loading on demand and by the admin API, and the declared adapters' start-up loads.
    /// </summary>
    public static IHostApplicationBuilder AddAdapters(this IHostApplicationBuilder builder, string path, LoadedFile<AdapterFile> atStart)
    {
        var services = builder.Services;
        services.AddReloadableFile(path, atStart, AdapterFileLoader.LoadFile);
        services.AddSingleton<AdapterCatalog>();
        services.AddSingleton<IAdapterCatalog>(sp => sp.GetRequiredService<AdapterCatalog>());
        services.AddSingleton<AdapterFileEditor>();
        services.AddSingleton<AdapterLoader>();
        services.AddSingleton<AdapterPlacement>();
        services.AddSingleton<AdapterOperations>();
        services.AddSingleton<DeclaredAdapterLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<DeclaredAdapterLoader>());
        return builder;
    }
}
