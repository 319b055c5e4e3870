using LlmHost.AppHost.Hosting.Lora;
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
            .WithArgs(context => EngineArgs.Add(context.Args, backend))
            .WithAdapterCommands(backend);
    }
}
