namespace LlmHost.AppHost.Hosting.Gpu;

public static class GpuBuilderExtensions
{
    /// <summary>
    /// Gives the container NVIDIA GPUs: <c>all</c>, a count (<c>2</c>) or device ids (<c>0,1</c>). Docker takes
    /// <c>--gpus</c>; Podman takes CDI devices (<c>--device nvidia.com/gpu=…</c>), chosen from ASPIRE_CONTAINER_RUNTIME.
    /// </summary>
    public static IResourceBuilder<T> WithNvidiaGpus<T>(this IResourceBuilder<T> builder, string gpus, string? containerRuntime = null)
        where T : ContainerResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(gpus);
        var podman = string.Equals(containerRuntime ?? Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME"), "podman", StringComparison.OrdinalIgnoreCase);
        return builder.WithContainerRuntimeArgs(context =>
        {
            foreach (var arg in GpuArgs(gpus, podman))
            {
                context.Args.Add(arg);
            }
        });
    }

    internal static IEnumerable<string> GpuArgs(string gpus, bool podman)
    {
        var spec = gpus.StartsWith("device=", StringComparison.Ordinal) ? gpus["device=".Length..] : gpus;
        var isDeviceList = spec.Contains(',') || gpus.StartsWith("device=", StringComparison.Ordinal);
        if (podman)
        {
            if (spec == "all" || !isDeviceList)
            {
                // CDI has no "first N" form: a count means all devices.
                return ["--device", "nvidia.com/gpu=all"];
            }
            return spec.Split(',').SelectMany(id => new[] { "--device", $"nvidia.com/gpu={id}" });
        }
        return spec == "all" ? ["--gpus", "all"]
            : isDeviceList ? ["--gpus", $"\"device={spec}\""]
            : ["--gpus", spec];
    }
}
