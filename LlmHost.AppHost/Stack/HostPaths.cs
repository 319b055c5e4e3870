using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Stack;

/// <summary>Host folders config.yaml names relative to itself (<c>./adapters</c>, <c>../models</c>), made absolute.</summary>
public static class HostPaths
{
    public static void Resolve(LlmHostConfig config, string configDirectory)
    {
        foreach (var backend in config.Backends)
        {
            var container = backend.Container;
            if (container.AdaptersHostPath is { } adapters && adapters.StartsWith('.'))
            {
                container.AdaptersHostPath = Path.GetFullPath(adapters, configDirectory);
            }
            if (container.HfCache.StartsWith('.'))
            {
                container.HfCache = Path.GetFullPath(container.HfCache, configDirectory);
            }
        }
    }
}
