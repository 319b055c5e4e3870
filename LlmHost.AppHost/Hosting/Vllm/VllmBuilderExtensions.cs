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
            .WithArgs(context => EngineArgs.Add(context.Args, backend));
    }
}
