using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Configuration;

/// <summary>
/// The loaded <c>config.yaml</c>. The path comes from <c>--config</c> (default <c>config/config.yaml</c>); a file that
/// does not load stops the gateway at start with every problem listed.
/// </summary>
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
    }

    public LlmHostConfig Settings { get; }
    public string Path { get; }
    public TimeSpan ConnectTimeout { get; }
    public TimeSpan ActivityTimeout { get; }
    public TimeSpan DiscoveryInterval { get; }

    public static GatewayConfig Load(IConfiguration configuration)
    {
        var path = configuration[PathKey] ?? DefaultPath;
        if (!System.IO.Path.IsPathRooted(path))
        {
            path = System.IO.Path.GetFullPath(path, Directory.GetCurrentDirectory());
        }
        return new GatewayConfig(ConfigLoader.LoadFile(path), path);
    }
}
