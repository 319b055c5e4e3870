using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Decides how each backend runs, and says why, so that the console tells the operator what was picked. With
/// <c>LlmHost:Containers=auto</c> (the default), an <c>auto</c> backend runs as a GPU container only when the container
/// engine can give it GPUs; <c>on</c> runs it as a container whenever an engine answers (GPUs or not: the operator
/// knows better, e.g. a runtime this check does not see); <c>off</c> never.
/// </summary>
public static class BackendModeResolver
{
    public static (DeploymentMode Mode, string Reason) Resolve(BackendSettings backend, ContainerRuntimeStatus runtime, Switch containers)
    {
        switch (backend.ModeKind)
        {
            case DeploymentMode.External:
                return (DeploymentMode.External, $"external server at {backend.Url}");
            case DeploymentMode.Simulator:
                return (DeploymentMode.Simulator, "mode: simulator");
            case DeploymentMode.Process:
                return (DeploymentMode.Process, $"mode: process, {backend.Process.Python}");
            case DeploymentMode.Container when containers == Switch.Off:
                return (DeploymentMode.Simulator, "mode: container, but containers are switched off (LlmHost:Containers=off): simulating instead");
            case DeploymentMode.Container:
                return (DeploymentMode.Container, runtime.Answers
                    ? runtime.CanRunGpus ? "mode: container" : $"mode: container ({runtime.Why}: the engine may fail to start)"
                    : $"mode: container, but {runtime.Why}: the resource will show as unhealthy until a container engine answers");
            default:
                return ResolveAuto(runtime, containers);
        }
    }

    private static (DeploymentMode, string) ResolveAuto(ContainerRuntimeStatus runtime, Switch containers) => containers switch
    {
        Switch.Off => (DeploymentMode.Simulator, "mode: auto, containers switched off: simulating"),
        _ when !runtime.Answers => (DeploymentMode.Simulator, $"mode: auto, {runtime.Why}: simulating"),
        Switch.On => (DeploymentMode.Container, $"mode: auto, LlmHost:Containers=on and {runtime.Why}: running the GPU container"),
        _ when runtime.CanRunGpus => (DeploymentMode.Container, $"mode: auto, {runtime.Why}: running the GPU container"),
        _ => (DeploymentMode.Simulator, $"mode: auto, {runtime.Why}: simulating (LlmHost:Containers=on runs the container anyway)"),
    };
}
