using LlmHost.AppHost.Hosting.Lifecycle;
using LlmHost.AppHost.Hosting.Lora;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Vllm;

public static class VllmBuilderExtensions
{
    /// <summary>
    /// Adds a vLLM OpenAI server container for <paramref name="backend"/>. The image's entrypoint is
    /// <c>vllm serve</c>, so the arguments start with the model. With <c>lora.enabled</c>, runtime LoRA loading is
    /// switched on, so that the gateway can load adapters (its admin API, and on demand).
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
            .WithRuntimeLora(backend)
            .WithSleepMode(backend)
            .WithSleepCommands(backend)
            .WithSleepStatus(backend)
            .WithArgs(context => EngineArgs.Add(context.Args, backend))
            .WithAdapterCommands(backend);
    }
}
