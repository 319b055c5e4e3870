using System.Globalization;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Vllm;

public static class VllmBuilderExtensions
{
    /// <summary>
    /// Adds a vLLM OpenAI server container for <paramref name="backend"/>. The image's entrypoint is
    /// <c>vllm serve</c>, so the arguments start with the model. Runtime LoRA loading is switched on so that the
    /// gateway's admin API can load adapters.
    /// </summary>
    public static IResourceBuilder<VllmResource> AddVllm(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, BackendSettings backend,
        IResourceBuilder<ParameterResource>? hfToken = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(backend);

        return builder.AddResource(new VllmResource(name, backend))
            .WithInferenceServerDefaults(hfToken)
            .WithEnvironment("VLLM_ALLOW_RUNTIME_LORA_UPDATING", "true")
            .WithArgs(context => AddArgs(context.Args, backend));
    }

    internal static void AddArgs(IList<object> args, BackendSettings backend)
    {
        var container = backend.Container;
        args.Add(backend.Model);
        InferenceServerBuilderExtensions.AddServingArgs(args, backend);
        args.Add("--tensor-parallel-size");
        args.Add(container.TensorParallelSize.ToString(CultureInfo.InvariantCulture));
        if (backend.MaxModelLen is { } maxModelLen)
        {
            args.Add("--max-model-len");
            args.Add(maxModelLen.ToString(CultureInfo.InvariantCulture));
        }
        if (container.GpuMemoryUtilization is { } utilization)
        {
            args.Add("--gpu-memory-utilization");
            args.Add(utilization.ToString(CultureInfo.InvariantCulture));
        }
        if (backend.LoraModules.Count > 0)
        {
            args.Add("--enable-lora");
            args.Add("--max-loras");
            args.Add(backend.LoraModules.Count.ToString(CultureInfo.InvariantCulture));
            InferenceServerBuilderExtensions.AddLoraArgs(args, backend, "--lora-modules");
        }
        foreach (var extra in container.ExtraArgs)
        {
            args.Add(extra);
        }
    }
}
