using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Tokens;
using StackExchange.Redis;

namespace LlmHost.Gateway.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// The limits: the store chosen at start (<c>limits.store</c>: this process, or Redis shared by the replicas; the
    /// AppHost passes <c>--limits-store memory</c> when no Redis could run), the body memory budget, the tokenizers.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder, LlmHostConfig atStart, string configPath)
    {
        var services = builder.Services;
        services.AddSingleton<TokenCounterRegistry>();
        services.AddSingleton<RequestBodyBudget>();
        services.AddSingleton<MemoryLimitStore>();
        services.AddHostedService<LimitStatePruner>();
        services.AddSingleton<LimitEnforcer>();
        if ((builder.Configuration["limits-store"] ?? atStart.Limits.Store) != "redis")
        {
            services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<MemoryLimitStore>());
            return builder;
        }
        var connectionString = atStart.Limits.Redis.ConnectionString is { Length: > 0 } configured
            ? configured
            : builder.Configuration.GetConnectionString("redis")
              ?? throw new ConfigException(configPath, [new ConfigError("limits.redis.connection_string", null,
                  "is required with limits.store: redis (or the ConnectionStrings:redis setting, which the AppHost sets)")]);
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisLimitStore.Options(connectionString)));
        services.AddSingleton(sp => new RedisLimitStore(sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<MemoryLimitStore>(),
            atStart.Limits.LeaseTtl, sp.GetRequiredService<ILogger<RedisLimitStore>>()));
        services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<RedisLimitStore>());
        services.AddHostedService<LeaseRenewalService>();
        return builder;
    }
}
