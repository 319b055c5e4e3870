using LlmHost.AppHost.Hosting.Gpu;
using LlmHost.AppHost.Hosting.Runtime;

namespace LlmHost.AppHost.Hosting;

/// <summary>What vLLM and SGLang containers share: endpoint, health check, GPUs, weights cache, HF token.</summary>
public static class InferenceServerBuilderExtensions
{
    public const string HuggingFaceCachePath = "/root/.cache/huggingface";
    public const string AdaptersPath = "/adapters";

    internal static IResourceBuilder<T> WithInferenceServerDefaults<T>(
        this IResourceBuilder<T> builder, IResourceBuilder<ParameterResource>? hfToken) where T : InferenceServerResource
    {
        var backend = builder.Resource.Backend;
        var container = backend.Container;
        var profile = backend.Profile;
        builder
            .WithImage(container.Image ?? profile.ContainerImage, container.Tag ?? profile.ContainerTag)
            .WithHttpEndpoint(targetPort: profile.DefaultPort, name: InferenceServerResource.HttpEndpointName)
            .WithHttpHealthCheck(profile.HealthPath)
            .WithNvidiaGpus(container.Gpus)
            .WithContainerRuntimeArgs(context =>
            {
                // PyTorch needs shared memory for tensor parallelism.
                context.Args.Add("--ipc=host");
                context.Args.Add($"--shm-size={container.ShmSize}");
                context.Args.Add("--label");
                context.Args.Add(EngineContainers.Label);
            })
            // Weights stay between AppHost runs: loading an 8B model takes minutes. A fixed name finds it again, to
            // remove it (--LlmHost:StopContainers=true, or the dashboard's "Remove container").
            .WithLifetime(ContainerLifetime.Persistent)
            .WithContainerName(EngineContainers.NameOf(builder.Resource.Name))
            .WithCommand(RemoveCommand, "Remove container", context => RemoveAsync(context, EngineContainers.NameOf(builder.Resource.Name)), new CommandOptions
            {
                Description = "Stop and remove this persistent engine container (it keeps running after the AppHost stops otherwise).",
                IconName = "Delete",
                ConfirmationMessage = "Stop and remove the container? The model is loaded again at the next start.",
            });

        if (IsHostPath(container.HfCache))
        {
            builder.WithBindMount(ExpandHome(container.HfCache), HuggingFaceCachePath);
        }
        else
        {
            builder.WithVolume(container.HfCache, HuggingFaceCachePath);
        }
        if (container.AdaptersHostPath is { } adapters)
        {
            builder.WithBindMount(ExpandHome(adapters), AdaptersPath, isReadOnly: true);
        }
        if (hfToken is not null)
        {
            builder.WithEnvironment("HF_TOKEN", hfToken);
        }
        return builder;
    }

    public const string RemoveCommand = "remove-container";

    private static async Task<ExecuteCommandResult> RemoveAsync(ExecuteCommandContext context, string containerName)
    {
        var (removed, message) = await EngineContainers.RemoveAsync(containerName, context.CancellationToken);
        return removed ? CommandResults.Success(message) : CommandResults.Failure(message);
    }

    private static bool IsHostPath(string value) => value.StartsWith('/') || value.StartsWith('~') || value.StartsWith('.');

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/')) : Path.GetFullPath(path);
}
