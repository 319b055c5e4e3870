using System.Diagnostics;

namespace LlmHost.AppHost.Hosting.Runtime;

/// <summary>
/// Asks the container engine (docker, or podman per ASPIRE_CONTAINER_RUNTIME) whether it answers, briefly, and
/// whether it can run GPU containers: Docker with the NVIDIA runtime registered, or CDI specs naming
/// <c>nvidia.com/gpu</c> devices (Podman, and Docker with CDI).
/// </summary>
public static class ContainerRuntimeProbe
{
    private static readonly string[] CdiDirectories = ["/etc/cdi", "/var/run/cdi"];

    public static ContainerRuntimeStatus Probe(TimeSpan timeout)
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } r ? r : "docker";
        if (ExecutableLocator.Find(runtime) is not { } path)
        {
            return new ContainerRuntimeStatus(false, false, runtime, $"no '{runtime}' command");
        }
        if (Run(path, ["info", "--format", "{{.ServerVersion}}"], timeout) is null)
        {
            return new ContainerRuntimeStatus(false, false, runtime, $"'{runtime} info' does not answer (no daemon running?)");
        }
        if (runtime == "docker" && Run(path, ["info", "--format", "{{json .Runtimes}}"], timeout) is { } runtimes
            && runtimes.Contains("nvidia", StringComparison.OrdinalIgnoreCase))
        {
            return new ContainerRuntimeStatus(true, true, runtime, "docker answers, with the NVIDIA runtime");
        }
        return HasNvidiaCdiDevices()
            ? new ContainerRuntimeStatus(true, true, runtime, $"{runtime} answers, with CDI NVIDIA GPU devices")
            : ContainerRuntimeStatus.WithoutGpus(runtime);
    }

    internal static bool HasNvidiaCdiDevices(IEnumerable<string>? directories = null)
    {
        foreach (var directory in directories ?? CdiDirectories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(directory))
            {
                try
                {
                    if (new FileInfo(file).Length < 4_000_000 && File.ReadAllText(file).Contains("nvidia.com/gpu", StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // An unreadable spec says nothing.
                }
            }
        }
        return false;
    }

    // The command's standard output when it exits with 0 in time; null otherwise.
    private static string? Run(string path, string[] args, TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
