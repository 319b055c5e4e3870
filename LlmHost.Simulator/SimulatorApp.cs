using LlmHost.Simulator.Api;
using LlmHost.Simulator.Api.Messages;
using LlmHost.Simulator.Api.Responses;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Simulator;

/// <summary>Builds the simulator's web application from its options; used by Program and by tests in-process.</summary>
public static class SimulatorApp
{
    public static WebApplication Build(SimulatorOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        var port = options.Port ?? options.Profile.DefaultPort;
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{port}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<Scheduler>();
        services.AddSingleton<LatencyModel>();
        services.AddSingleton<EngineMetrics>();
        services.AddSingleton<FailureInjector>();
        services.AddSingleton<EngineErrorWriter>();
        services.AddSingleton<StartupGate>();
        services.AddSingleton<SleepState>();
        services.AddSingleton(new ResponseStore());
        if (options.IsRoofline)
        {
            services.AddSingleton<LlmHost.Simulator.Engine.Model.EngineLoop>();
        }
        services.AddSingleton<CompletionsHandler>();

        var app = builder.Build();
        app.Services.GetRequiredService<StartupGate>();
        if (options.ApiKey is { } apiKey)
        {
            app.Use((context, next) => !IsProtected(context.Request.Path) || HasKey(context, apiKey)
                ? next(context)
                : IsAnthropic(context.Request.Path)
                    ? AnthropicErrors.WriteAsync(context, new EngineError(401, "AuthenticationError", AnthropicErrors.InvalidKeyMessage))
                    : EngineErrorWriter.WriteUnauthorizedAsync(context));
        }

        var handler = app.Services.GetRequiredService<CompletionsHandler>();
        app.MapPost("/v1/chat/completions", context => handler.HandleAsync(context, CompletionKind.Chat));
        app.MapPost("/v1/completions", context => handler.HandleAsync(context, CompletionKind.Text));
        app.MapResponsesEndpoints(handler);
        app.MapMessagesEndpoints(handler);
        app.MapModelsEndpoints(options);
        app.MapLoraEndpoints(options);
        app.MapServerEndpoints(options);
        app.MapSleepEndpoints(options);
        return app;
    }

    // vLLM checks the key only on these prefixes; /health, /metrics and /tokenize stay open.
    private static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/v2") || path.StartsWithSegments("/inference");

    private static bool IsAnthropic(PathString path) => path.StartsWithSegments("/v1/messages");

    // Anthropic's clients send the key as x-api-key, so the Messages routes take it there too.
    private static bool HasKey(HttpContext context, string apiKey) =>
        (context.Request.Headers.Authorization.ToString() is var header
            && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && header.AsSpan(7).SequenceEqual(apiKey))
        || (IsAnthropic(context.Request.Path) && context.Request.Headers["x-api-key"].ToString() == apiKey);

    private static string FormatHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
}
