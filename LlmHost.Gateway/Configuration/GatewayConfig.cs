using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Configuration;

/// <summary>One loaded, validated <c>config.yaml</c>, with its durations parsed. Immutable: a reload makes a new one.</summary>
public sealed class GatewayConfig
{
    public const string PathKey = "config";
    public const string DefaultPath = "config/config.yaml";

    public GatewayConfig(LlmHostConfig settings, string path)
    {
        Settings = settings;
        Path = path;
        ConnectTimeout = Duration.Parse(settings.Gateway.ConnectTimeout);
        ActivityTimeout = Duration.Parse(settings.Gateway.ActivityTimeout);
        DiscoveryInterval = Duration.Parse(settings.Routing.DiscoveryInterval);
        HealthCheckInterval = Duration.Parse(settings.Routing.HealthCheckInterval);
        EjectionTime = Duration.Parse(settings.Routing.EjectionTime);
        MaxRequestBodyBytes = settings.Gateway.MaxRequestBodyBytes;
        KeyRotationOverlap = Duration.Parse(settings.Gateway.KeyRotationOverlap);
        LeaseTtl = Duration.Parse(settings.Limits.LeaseTtl);
    }

    public LlmHostConfig Settings { get; }
    public string Path { get; }
    public TimeSpan ConnectTimeout { get; }
    public TimeSpan ActivityTimeout { get; }
    public TimeSpan DiscoveryInterval { get; }
    public TimeSpan HealthCheckInterval { get; }
    public TimeSpan EjectionTime { get; }
    public long MaxRequestBodyBytes { get; }
    public TimeSpan KeyRotationOverlap { get; }
    public TimeSpan LeaseTtl { get; }

    /// <summary>The path given by <c>--config</c> (relative to the working directory), or the default.</summary>
    public static string ResolvePath(IConfiguration configuration) =>
        System.IO.Path.GetFullPath(configuration[PathKey] ?? DefaultPath, Directory.GetCurrentDirectory());

    public static GatewayConfig LoadFile(string path) => new(ConfigLoader.LoadFile(path), path);
}
