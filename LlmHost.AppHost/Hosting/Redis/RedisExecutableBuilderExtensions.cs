namespace LlmHost.AppHost.Hosting.Redis;

/// <summary>
/// Debian's <c>redis-server</c> as a local executable, for the gateway replicas' shared limit state where no container
/// engine runs. Nothing is persisted: limit state is worth seconds, and the gateways fail open while it restarts.
/// </summary>
public static class RedisExecutableBuilderExtensions
{
    public const string ConnectionStringName = "redis";

    public static IResourceBuilder<ExecutableResource> AddRedisExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string redisPath, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var redis = builder.AddExecutable(name, redisPath, directory)
            .WithEndpoint(name: "tcp", scheme: "tcp", isProxied: false);
        var endpoint = redis.GetEndpoint("tcp");
        return redis.WithArgs(
            "--bind", "127.0.0.1",
            "--port", endpoint.Property(EndpointProperty.TargetPort),
            "--save", "",
            "--appendonly", "no");
    }

    /// <summary>Gives a gateway the executable's address as <c>ConnectionStrings:redis</c>, and starts it after Redis.</summary>
    public static IResourceBuilder<ProjectResource> WithRedisExecutable(this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ExecutableResource> redis) =>
        gateway
            .WithEnvironment($"ConnectionStrings__{ConnectionStringName}", ReferenceExpression.Create($"{redis.GetEndpoint("tcp").Property(EndpointProperty.HostAndPort)}"))
            .WaitFor(redis);
}
