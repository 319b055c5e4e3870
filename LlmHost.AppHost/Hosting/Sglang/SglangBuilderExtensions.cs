using System.Globalization;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Sglang;

public static class SglangBuilderExtensions
{
    /// <summary>
    /// Adds an SGLang server container for <paramref name="backend"/>. The image has no server entrypoint, so the
    /// command is <c>python3 -m sglang.launch_server</c>; metrics are switched on for Prometheus.
    /// </summary>
    public static IResourceBuilder<SglangResource> AddSglang(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, BackendSettings backend,
        IResourceBuilder<ParameterResource>? hfToken = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(backend);

        return builder.AddResource(new SglangResource(name, backend))
            .WithInferenceServerDefaults(hfToken)
            .WithEntrypoint("python3")
            .WithArgs(context => AddArgs(context.Args, backend));
    }

    internal static void AddArgs(IList<object> args, BackendSettings backend)
    {
        var container = backend.Container;
        args.Add("-m");
        args.Add("sglang.launch_server");
        args.Add("--model-path");
        args.Add(backend.Model);
        InferenceServerBuilderExtensions.AddServingArgs(args, backend);
        args.Add("--tp");
        args.Add(container.TensorParallelSize.ToString(CultureInfo.InvariantCulture));
        args.Add("--enable-metrics");
        if (backend.MaxModelLen is { } maxModelLen)
        {
            args.Add("--context-length");
            args.Add(maxModelLen.ToString(CultureInfo.InvariantCulture));
        }
        if (container.GpuMemoryUtilization is { } utilization)
        {
            args.Add("--mem-fraction-static");
            args.Add(utilization.ToString(CultureInfo.InvariantCulture));
        }
        if (backend.LoraModules.Count > 0)
        {
            args.Add("--enable-lora");
            InferenceServerBuilderExtensions.AddLoraArgs(args, backend, "--lora-paths");
        }
        foreach (var extra in container.ExtraArgs)
        {
            args.Add(extra);
        }
    }
}
