using System.Diagnostics;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Runtime;

/// <summary>
/// The engine containers' names (fixed, so that they can be found again: they are persistent and outlive the
/// AppHost), and their removal — by <c>--LlmHost:StopContainers=true</c> and by the dashboard's "Remove container".
/// </summary>
public static class EngineContainers
{
    public const string NamePrefix = "llmhost-";

    public static string NameOf(string resourceName) => NamePrefix + resourceName;

    /// <summary>The containers the config's engine backends may have left (every mode but external and simulator).</summary>
    public static IEnumerable<string> NamesOf(LlmHostConfig config)
    {
        foreach (var backend in config.Backends)
        {
            if (backend.ModeKind is LlmHost.Backends.Engines.DeploymentMode.Container or LlmHost.Backends.Engines.DeploymentMode.Auto)
            {
                foreach (var instance in backend.InstanceNames())
                {
                    yield return NameOf(instance);
                }
            }
        }
    }

    /// <summary>Stops and removes one container (<c>rm -f</c>); says what happened.</summary>
    public static async Task<(bool Removed, string Message)> RemoveAsync(string containerName, CancellationToken cancellationToken)
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } r ? r : "docker";
        if (ExecutableLocator.Find(runtime) is not { } path)
        {
            return (false, $"no '{runtime}' command: nothing to remove");
        }
        using var process = Process.Start(new ProcessStartInfo(path, ["rm", "-f", containerName])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (false, $"'{runtime} rm -f {containerName}' did not finish within 60 s");
        }
        var text = (await error).Trim();
        return process.ExitCode == 0
            ? (true, $"{containerName}: stopped and removed")
            : (false, $"{containerName}: {(text.Length > 300 ? text[..300] : text)}");
    }
}
