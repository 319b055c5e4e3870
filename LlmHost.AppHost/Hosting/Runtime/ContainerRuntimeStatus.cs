namespace LlmHost.AppHost.Hosting.Runtime;

/// <summary>What the container engine can do here: whether it answers, and whether it can give containers NVIDIA GPUs.</summary>
/// <param name="Answers">The engine's daemon answered <c>info</c>.</param>
/// <param name="CanRunGpus">An NVIDIA runtime is registered with it, or CDI describes NVIDIA GPUs.</param>
/// <param name="Runtime"><c>docker</c> or <c>podman</c>.</param>
/// <param name="Why">What was found, for the console.</param>
public sealed record ContainerRuntimeStatus(bool Answers, bool CanRunGpus, string Runtime, string Why)
{
    public static ContainerRuntimeStatus None { get; } = new(false, false, "docker", "containers switched off");

    public static ContainerRuntimeStatus NotAnswering { get; } = new(false, false, "docker", "no container engine answers");

    /// <summary>A container engine that runs GPU containers (for tests and explicit set-ups).</summary>
    public static ContainerRuntimeStatus GpuReady(string runtime = "docker") => new(true, true, runtime, $"{runtime} answers, with NVIDIA GPUs");

    /// <summary>A container engine that answers but has no GPUs to give.</summary>
    public static ContainerRuntimeStatus WithoutGpus(string runtime = "docker") =>
        new(true, false, runtime, $"{runtime} answers, but has no NVIDIA runtime and no CDI GPU devices");
}
