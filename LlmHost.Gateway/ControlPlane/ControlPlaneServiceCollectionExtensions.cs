using Microsoft.Extensions.DependencyInjection.Extensions;
using Polly;

namespace LlmHost.Gateway.ControlPlane;

public static class ControlPlaneServiceCollectionExtensions
{
    /// <summary>The engine-control client and its resilience pipelines, with Polly's metrics exported.</summary>
    public static IHostApplicationBuilder AddEngineControl(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpClient(EngineControl.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddResiliencePipelineRegistry<ControlPipelineKey>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EngineControl>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("Polly"));
        return builder;
    }
}
