using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Adapters;
using LlmHost.Gateway.Apis;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.ControlPlane;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Lifecycle;
using LlmHost.Gateway.Observability;
using LlmHost.Gateway.Proxy;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway;

/// <summary>Builds the gateway's web application; used by Program and by tests that host it on a real port.</summary>
public static class GatewayApp
{
    /// <summary>
    /// The start-up step — config.yaml, the key file and the adapter file loaded (the key file created with an admin key on a first
    /// start; either one invalid throws <see cref="ConfigException"/> with every problem) — then the features wired
    /// and the routes mapped.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the application's folder, not the working directory: appsettings.json (log levels)
        // applies however the gateway is started. Paths given on the command line stay relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var configPath = GatewayConfigFile.ResolvePath(builder.Configuration);
        var config = GatewayConfigFile.Load(configPath);
        var keysPath = ApiKeyFileLoader.ResolvePath(builder.Configuration);
        ApiKeyBootstrap.EnsureExists(keysPath, Console.Out);
        var keys = ApiKeyFileLoader.LoadFile(keysPath);
        var adaptersPath = AdapterFileLoader.ResolvePath(builder.Configuration, keysPath);
        var adapters = AdapterFileLoader.LoadFile(adaptersPath);

        builder.AddServiceDefaults();
        builder.AddGatewayConfiguration(configPath, config);
        builder.AddApiKeyAuthentication(keysPath, keys);
        builder.AddRateLimits(config.Value, configPath);
        builder.AddEngineControl();
        builder.AddBackendRouting();
        builder.AddAdapters(adaptersPath, adapters);
        builder.AddEngineLifecycle();
        builder.AddFlowControl();
        builder.AddCompletionProxy();
        builder.AddGatewayObservability();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseAccessLog(); // and the OpenAI bodies of bodiless error answers
        app.UseMetricsAccess();
        app.UseApiKeys();
        app.UseBodyCapture();
        app.MapDefaultEndpoints();
        app.MapOpenAIApi();
        app.MapAdminApi();
        return app;
    }
}
