using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Configuration;

public static class ConfigurationServiceCollectionExtensions
{
    /// <summary>
    /// config.yaml (loaded by the start-up step): consumers that follow reloads take
    /// <c>IOptionsMonitor&lt;LlmHostConfig&gt;</c>, those that read it once at start <c>IOptions&lt;LlmHostConfig&gt;</c>;
    /// and the service that reloads every reloadable file.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayConfiguration(this IHostApplicationBuilder builder, string path, LoadedFile<LlmHostConfig> atStart)
    {
        var services = builder.Services;
        services.AddReloadableFile(path, atStart, GatewayConfigFile.Load);
        services.AddSingleton(Options.Create(atStart.Value));
        services.AddHostedService<FileReloadService>();
        return builder;
    }

    /// <summary>A file the gateway reloads, as <see cref="ReloadableFile{T}"/> and as <c>IOptionsMonitor&lt;T&gt;</c>.</summary>
    public static IServiceCollection AddReloadableFile<T>(this IServiceCollection services, string path, LoadedFile<T> atStart, Func<string, LoadedFile<T>> load)
        where T : class
    {
        services.AddSingleton(sp => new ReloadableFile<T>(path, atStart, load, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ReloadableFile<T>>()));
        services.AddSingleton<IReloadableFile>(sp => sp.GetRequiredService<ReloadableFile<T>>());
        services.AddSingleton<IOptionsMonitor<T>>(sp => new ReloadableFileOptionsMonitor<T>(sp.GetRequiredService<ReloadableFile<T>>()));
        return services;
    }
}
