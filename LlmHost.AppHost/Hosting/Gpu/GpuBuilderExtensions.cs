using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Gpu;

public static class GpuBuilderExtensions
{
    /// <summary>
    /// Gives the container NVIDIA GPUs: <c>all</c>, or the selection's devices (a count <c>N</c> is devices 0 to N-1).
    /// Docker takes <c>--gpus "device=…"</c>; Podman takes CDI devices (<c>--device nvidia.com/gpu=…</c>), chosen
    /// from ASPIRE_CONTAINER_RUNTIME. Devices are always named, so both runtimes give the same GPUs.
    /// </summary>
    public static IResourceBuilder<T> WithNvidiaGpus<T>(this IResourceBuilder<T> builder, GpuSelection gpus, string? containerRuntime = null)
        where T : ContainerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(gpus);
        var podman = string.Equals(containerRuntime ?? Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME"), "podman", StringComparison.OrdinalIgnoreCase);
        return builder.WithContainerRuntimeArgs(context =>
        {
            foreach (var arg in GpuArgs(gpus, podman))
            {
                context.Args.Add(arg);
            }
        });
    }

    internal static IEnumerable<string> GpuArgs(GpuSelection gpus, bool podman)
    {
        if (gpus.IsAll)
        {
            return podman ? ["--device", "nvidia.com/gpu=all"] : ["--gpus", "all"];
        }
        return podman
            ? gpus.Devices.SelectMany(id => new[] { "--device", $"nvidia.com/gpu={id}" })
            : ["--gpus", $"\"device={string.Join(',', gpus.Devices)}\""];
    }
}
