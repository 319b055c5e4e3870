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
            container.AdaptersHostPath = Absolute(container.AdaptersHostPath, configDirectory);
            container.HfCache = Absolute(container.HfCache, configDirectory)!;
            backend.Process.Python = Absolute(backend.Process.Python, configDirectory);
        }
    }

    // Only what is meant as a path: a volume name (llmhost-hf-cache) stays as it is.
    private static string? Absolute(string? path, string configDirectory) => path switch
    {
        null => null,
        ['~', ..] => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/')),
        ['.', ..] => Path.GetFullPath(path, configDirectory),
        _ => path,
    };
}
