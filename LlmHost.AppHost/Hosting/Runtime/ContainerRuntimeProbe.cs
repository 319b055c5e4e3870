using System.Diagnostics;

namespace LlmHost.AppHost.Hosting.Runtime;

/// <summary>Asks the container engine (docker, or podman per ASPIRE_CONTAINER_RUNTIME) whether it answers, briefly.</summary>
public static class ContainerRuntimeProbe
{
    public static bool IsAvailable(TimeSpan timeout)
    {
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } r ? r : "docker";
        if (ExecutableLocator.Find(runtime) is not { } path)
        {
            return false;
        }
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }
}
