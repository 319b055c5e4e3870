namespace LlmHost.AppHost.Hosting.Redis;

/// <summary>
/// Debian's <c>redis-server</c> as a local executable, for the gateway replicas' shared limit state where no container
/// engine runs. Nothing is persisted: limit state is worth seconds, and the gateways fail open while it restarts.
/// </summary>
public static class RedisExecutableBuilderExtensions
{
    public static IResourceBuilder<RedisExecutableResource> AddRedisExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string redisPath, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var redis = builder.AddResource(new RedisExecutableResource(name, redisPath, directory))
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        return redis.WithArgs(
            "--bind", "127.0.0.1",
            "--port", redis.Resource.TcpEndpoint.Property(EndpointProperty.TargetPort),
            "--save", "",
            "--appendonly", "no");
    }
}
