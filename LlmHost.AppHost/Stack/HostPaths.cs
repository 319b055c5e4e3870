using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Stack;

/// <summary>Host paths config.yaml names relative to itself (<c>./adapters</c>, <c>../venv/bin/python</c>) or to <c>~</c>, made absolute.</summary>
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
            if (backend.Process.Python is { } python && (python.StartsWith('.') || python.StartsWith('~')))
            {
                backend.Process.Python = python.StartsWith('~')
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), python.TrimStart('~', '/'))
                    : Path.GetFullPath(python, configDirectory);
            }
        }
    }
}
