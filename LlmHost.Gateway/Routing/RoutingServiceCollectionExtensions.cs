namespace LlmHost.Gateway.Routing;

public static class RoutingServiceCollectionExtensions
{
    /// <summary>The backend instances (through service discovery), their probes, the engines' load, the routing table
    /// and the readiness check.</summary>
    public static IHostApplicationBuilder AddBackendRouting(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<BackendPool>();
        services.AddSingleton<RouteRegistry>();
        services.AddSingleton<BackendProbeService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackendProbeService>());
        services.AddSingleton<Sessions.SessionPins>();
        services.AddSingleton<Load.EngineLoadScraper>();
        services.AddHostedService(sp => sp.GetRequiredService<Load.EngineLoadScraper>());
        services.AddHealthChecks().AddCheck<RoutingReadyHealthCheck>("routing", tags: ["ready"]);
        return builder;
    }
}
