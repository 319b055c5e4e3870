namespace LlmHost.Gateway.Lifecycle;

public static class LifecycleServiceCollectionExtensions
{
    /// <summary>Engine sleep and wake: by hand (admin API), when idle, and on demand for the next request.</summary>
    public static IHostApplicationBuilder AddEngineLifecycle(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EngineSleeper>();
        builder.Services.AddSingleton<IdleSleepService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IdleSleepService>());
        return builder;
    }
}
