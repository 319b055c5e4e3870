using LlmHost.AppHost.Hosting.Gpu;

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
            })
            // Weights stay between AppHost runs: loading an 8B model takes minutes.
            .WithLifetime(ContainerLifetime.Persistent);

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

    private static bool IsHostPath(string value) => value.StartsWith('/') || value.StartsWith('~') || value.StartsWith('.');

    private static string ExpandHome(string path) =>
        path.StartsWith('~') ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~', '/')) : Path.GetFullPath(path);
}
