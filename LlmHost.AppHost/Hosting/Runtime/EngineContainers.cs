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

    /// <summary>Label on every engine container, so that those of an earlier config are found too.</summary>
    public const string Label = "io.llmhost.engine=true";

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

    /// <summary>
    /// Stops and removes every engine container: those labelled as LlmHost's (whatever config made them) and those
    /// the current config names. Says what happened to each.
    /// </summary>
    public static async Task<List<string>> RemoveAllAsync(LlmHostConfig config, CancellationToken cancellationToken)
    {
        var names = new List<string>(NamesOf(config));
        var (listed, output) = await RunAsync(["ps", "-a", "--filter", $"label={Label}", "--format", "{{.Names}}"], cancellationToken);
        if (listed)
        {
            names.AddRange(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(n => !names.Contains(n)));
        }
        var messages = new List<string>();
        foreach (var name in names)
        {
            messages.Add((await RemoveAsync(name, cancellationToken)).Message);
        }
        return messages;
    }

    /// <summary>Stops and removes one container (<c>rm -f</c>); says what happened.</summary>
    public static async Task<(bool Removed, string Message)> RemoveAsync(string containerName, CancellationToken cancellationToken)
    {
        var (removed, output) = await RunAsync(["rm", "-f", containerName], cancellationToken);
        return removed ? (true, $"{containerName}: stopped and removed") : (false, $"{containerName}: {output}");
    }

    // The container engine's command; its standard output on success, else what went wrong.
    private static async Task<(bool Succeeded, string Output)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } r ? r : "docker";
        if (ExecutableLocator.Find(runtime) is not { } path)
        {
            return (false, $"no '{runtime}' command: nothing to remove");
        }
        using var process = Process.Start(new ProcessStartInfo(path, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
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
            return (false, $"'{runtime} {string.Join(' ', args)}' did not finish within 60 s");
        }
        if (process.ExitCode == 0)
        {
            return (true, await output);
        }
        var text = (await error).Trim();
        return (false, text.Length > 300 ? text[..300] : text);
    }
}
