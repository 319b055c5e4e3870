using LlmHost.AppHost.Hosting.Runtime;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// The one rule for every supporting piece: a local executable if it is installed, else a container if an engine
/// answers, else left out with a notice that says how to get it — never a failed start. (Redis prefers its container,
/// Aspire's own resource, when an engine answers; Grafana has no Debian package and is a container or nothing.)
/// </summary>
public static class PlacementLadder
{
    /// <param name="context">The stack being built (whether containers may run).</param>
    /// <param name="wanted">Whether the piece is switched on (config and AppHost switches).</param>
    /// <param name="executable">The program to look for on PATH; null when there is none.</param>
    /// <param name="package">The Debian package that installs it, for the notice.</param>
    /// <param name="preferContainer">Try the container before the executable.</param>
    public static PlacementChoice Choose(StackContext context, bool wanted, string? executable, string? package, bool preferContainer = false)
    {
        if (!wanted)
        {
            return PlacementChoice.LeftOut("switched off");
        }
        var containers = context.ContainersAllowed;
        if (preferContainer && containers)
        {
            return new PlacementChoice(Placement.Container, null, "container");
        }
        if (executable is not null && ExecutableLocator.Find(executable) is { } path)
        {
            return new PlacementChoice(Placement.Executable, path, $"local executable {path}");
        }
        if (containers)
        {
            return new PlacementChoice(Placement.Container, null, executable is null ? "container" : "not installed, running it as a container");
        }
        return PlacementChoice.LeftOut(package is null
            ? "it runs as a container and no container engine answers"
            : $"not installed (apt-get install {package}) and no container engine answers");
    }
}
