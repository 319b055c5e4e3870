using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability.AccessLogging;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Observability;

public static class ObservabilityServiceCollectionExtensions
{
    /// <summary>
    /// The observers of every request's outcome — metrics (meter <c>LlmHost.Gateway</c>), usage per key, the trace
    /// span, the access log — and the JSON console log.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayObservability(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(GatewayMetrics.MeterName));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<KeyUsageTracker>();
        services.AddSingleton<AccessLogWriter>();
        services.AddSingleton(sp => new ClientAddress(
            [.. sp.GetRequiredService<IOptions<LlmHostConfig>>().Value.Gateway.TrustedProxies.Select(System.Net.IPAddress.Parse)]));
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<GatewayMetrics>());
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<KeyUsageTracker>());
        services.AddSingleton<IRequestObserver, RequestTraceObserver>();
        services.AddSingleton<IRequestObserver, AccessLogObserver>();
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    /// <summary>One access-log line per <c>/v1</c> and <c>/admin</c> request; outermost, so that it sees every answer.</summary>
    public static IApplicationBuilder UseAccessLog(this IApplicationBuilder app) => app.UseMiddleware<AccessLogMiddleware>();

    /// <summary>The bodies of keys with <c>log_bodies</c>, for their access-log lines and spans; after the key check.</summary>
    public static IApplicationBuilder UseBodyCapture(this IApplicationBuilder app) => app.UseMiddleware<BodyCaptureMiddleware>();

    /// <summary>
    /// The command-line option that adds networks to <c>gateway.metrics_allow</c> (comma-separated): the AppHost's, when
    /// Prometheus or the edge run as containers and scrape from a container network.
    /// </summary>
    public const string MetricsAllowOption = "metrics-allow";

    /// <summary>Serves <c>/metrics</c> only to <c>gateway.metrics_allow</c> and <c>--metrics-allow</c>.</summary>
    public static IApplicationBuilder UseMetricsAccess(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var allowed = new List<string>(services.GetRequiredService<IOptions<LlmHostConfig>>().Value.Gateway.MetricsAllow);
        if (allowed.Count > 0 && services.GetRequiredService<IConfiguration>()[MetricsAllowOption] is { Length: > 0 } extra)
        {
            allowed.AddRange(extra.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        var access = new MetricsAccess(allowed);
        return app.UseWhen(context => context.Request.Path.StartsWithSegments(Microsoft.Extensions.Hosting.Extensions.MetricsEndpointPath),
            branch => branch.Use(async (context, next) =>
            {
                if (!access.Allows(context.Connection.RemoteIpAddress))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await next(context);
            }));
    }
}
