using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Stack;

/// <summary>Decides how each backend runs, and says why, so that the console tells the operator what was picked.</summary>
public static class BackendModeResolver
{
    public static (DeploymentMode Mode, string Reason) Resolve(BackendSettings backend, bool containersUsable, Switch containers)
    {
        switch (backend.ModeKind)
        {
            case DeploymentMode.External:
                return (DeploymentMode.External, $"external server at {backend.Url}");
            case DeploymentMode.Simulator:
                return (DeploymentMode.Simulator, "mode: simulator");
            case DeploymentMode.Container when containers == Switch.Off:
                return (DeploymentMode.Simulator, "mode: container, but containers are switched off (LlmHost:Containers=off): simulating instead");
            case DeploymentMode.Container:
                return (DeploymentMode.Container, containersUsable
                    ? "mode: container"
                    : "mode: container, but no container engine answers: the resource will show as unhealthy until one does");
            default:
                return containersUsable
                    ? (DeploymentMode.Container, "mode: auto, a container engine answers: running the GPU container")
                    : (DeploymentMode.Simulator, containers == Switch.Off
                        ? "mode: auto, containers switched off: simulating"
                        : "mode: auto, no container engine answers: simulating");
        }
    }
}
