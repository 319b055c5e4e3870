using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmHost.Gateway.Admin;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Proxy;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Tokens;
using LlmHost.Backends.Configuration;
using StackExchange.Redis;

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
        services.AddSingleton<RequestInspector>();
        services.AddSingleton<RequestBodyBudget>();
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options => ConfigureServer(options, config.Settings.Gateway));
        services.AddHttpForwarder();
        services.AddSingleton<BackendProbeService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackendProbeService>());
        services.AddHttpClient(BackendProbeService.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHealthChecks().AddCheck<RoutingReadyHealthCheck>("routing", tags: ["ready"]);
        services.AddSingleton<Observability.GatewayMetrics>();
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<Observability.GatewayMetrics>());
        services.AddSingleton<Observability.AccessLogging.AccessLogWriter>();
        services.AddSingleton(new Observability.AccessLogging.ClientAddress(
            [.. config.Settings.Gateway.TrustedProxies.Select(System.Net.IPAddress.Parse)]));
        builder.Logging.AddJsonConsole(options =>
        {
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.AddApiKeys();
        builder.AddLimits(config);
        return builder;
    }

    /// <summary>
    /// Kestrel against slow and numerous clients (read at start): a connection cap, a minimum body rate after a 5 s
    /// grace, a header deadline, no <c>Server</c> header, and no body larger than the gateway's own limit.
    /// </summary>
    private static void ConfigureServer(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions options, GatewaySettings gateway)
    {
        var server = gateway.Server;
        options.AddServerHeader = false;
        options.Limits.MaxConcurrentConnections = server.MaxConnections;
        options.Limits.MaxConcurrentUpgradedConnections = server.MaxConnections;
        options.Limits.MinRequestBodyDataRate = server.MinRequestBodyRate > 0
            ? new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(server.MinRequestBodyRate, TimeSpan.FromSeconds(5))
            : null;
        options.Limits.RequestHeadersTimeout = Duration.Parse(server.RequestHeadersTimeout);
        options.Limits.MaxRequestBodySize = gateway.MaxRequestBodyBytes + 1;
    }

    /// <summary>The limit store (<c>limits.store</c>: this process, or Redis shared by the replicas) and the tokenizers.</summary>
    private static void AddLimits(this IHostApplicationBuilder builder, GatewayConfig config)
    {
        var services = builder.Services;
        services.AddSingleton<TokenCounterRegistry>();
        services.AddSingleton(sp =>
        {
            var store = new MemoryLimitStore();
            sp.GetRequiredService<ApiKeyStore>().Changed += keys => store.Prune(keys.ById.ContainsKey);
            return store;
        });
        services.AddSingleton<LimitEnforcer>();
        // --limits-store memory: the AppHost's way to say that no Redis could be started for this run.
        if ((builder.Configuration["limits-store"] ?? config.Settings.Limits.Store) != "redis")
        {
            services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<MemoryLimitStore>());
            return;
        }
        var connectionString = config.Settings.Limits.Redis.ConnectionString is { Length: > 0 } configured
            ? configured
            : builder.Configuration.GetConnectionString("redis")
              ?? throw new ConfigException(config.Path, [new ConfigError("limits.redis.connection_string", null,
                  "is required with limits.store: redis (or the ConnectionStrings:redis setting, which the AppHost sets)")]);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisLimitStore.Options(connectionString)));
        services.AddSingleton(sp => new RedisLimitStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<MemoryLimitStore>(),
            config.LeaseTtl, sp.GetRequiredService<ILogger<RedisLimitStore>>()));
        services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<RedisLimitStore>());
        services.AddHostedService<LeaseRenewalService>();
    }

    /// <summary>The key file (created with an admin key on first start), its authentication scheme and the admin API's services.</summary>
    private static void AddApiKeys(this IHostApplicationBuilder builder)
    {
        var path = ApiKeyStore.ResolvePath(builder.Configuration);
        ApiKeyBootstrap.EnsureExists(path, Console.Out);
        var initial = ApiKeyStore.LoadAtStart(path);
        var services = builder.Services;
        services.AddSingleton(sp => new ApiKeyStore(path, initial, sp.GetRequiredService<ILogger<ApiKeyStore>>()));
        services.AddHostedService<ApiKeyReloadService>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddAuthentication(ApiKeyDefaults.Scheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyDefaults.AdminPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyDefaults.Scheme).RequireAuthenticatedUser().RequireRole(ApiKeyRoles.Admin));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ApiKeyFileEditor>();
        services.AddSingleton<KeyUsageTracker>();
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<KeyUsageTracker>());
    }
}
