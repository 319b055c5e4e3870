using Microsoft.Extensions.DependencyInjection.Extensions;
using Polly;

namespace LlmHost.Gateway.ControlPlane;

public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>The engine-control client and its resilience pipelines, with Polly's metrics exported.</summary>
    public static IHostApplicationBuilder AddEngineControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddEngineControl();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("Polly"));
        return builder;
    }

    /// <summary>
    /// <see cref="EngineControl"/> and its pipelines, named in Polly's telemetry by call kind (<c>pipeline.name</c>:
    /// <c>read</c>, <c>write</c>, <c>breaker</c>) and engine instance (<c>pipeline.instance</c>).
    /// </summary>
    public static IServiceCollection AddEngineControl(this IServiceCollection services)
    {
        services.AddTransient<QuietTracingHandler>();
        services.AddHttpClient(EngineControl.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler<QuietTracingHandler>();
        services.AddResiliencePipelineRegistry<ControlPipelineKey>(options =>
        {
            options.BuilderNameFormatter = key => key.Call.ToString().ToLowerInvariant();
            options.InstanceNameFormatter = key => key.Instance;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EngineControl>();
        return services;
    }
}
