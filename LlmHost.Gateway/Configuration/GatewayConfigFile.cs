using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Configuration;

/// <summary>Where config.yaml is (<c>--config</c>, else <c>config/config.yaml</c>, relative to the working directory) and how it loads.</summary>
public static class GatewayConfigFile
{
    public const string PathKey = "config";
    public const string DefaultPath = "config/config.yaml";

    public static string ResolvePath(IConfiguration configuration) =>
        System.IO.Path.GetFullPath(configuration[PathKey] ?? DefaultPath, Directory.GetCurrentDirectory());

    /// <summary>Loads and validates; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static LoadedFile<LlmHostConfig> Load(string path) => new(ConfigLoader.LoadFile(path), []);
}
