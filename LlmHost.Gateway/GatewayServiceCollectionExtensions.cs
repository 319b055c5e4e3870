using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Proxy;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>Loads config.yaml (failing the start if it is invalid) and registers the gateway's services.</summary>
    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var config = GatewayConfig.LoadFile(GatewayConfig.ResolvePath(builder.Configuration));
        var services = builder.Services;
        services.AddSingleton(config);
        services.AddSingleton<GatewayConfigProvider>();
        services.AddHostedService<ConfigReloadService>();
        services.AddSingleton<BackendPool>();
        services.AddSingleton<RouteRegistry>();
        services.AddSingleton<ForwarderClient>();
        services.AddSingleton<CompletionProxy>();
        services.AddHttpForwarder();
        services.AddSingleton<BackendProbeService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackendProbeService>());
        services.AddHttpClient(BackendProbeService.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHealthChecks().AddCheck<RoutingReadyHealthCheck>("routing", tags: ["ready"]);
        return builder;
    }
}
