using LlmHost.AppHost.Hosting.Lifecycle;
using LlmHost.AppHost.Hosting.Lora;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.HostProcess;

public static class EngineProcessBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="backend"/>'s engine as a host process (mode <c>process</c>): <c>PYTHON -m
    /// vllm.entrypoints.cli.main serve …</c> or <c>PYTHON -m sglang.launch_server …</c> with the container's arguments,
    /// listening on loopback on a port Aspire allocates; <c>CUDA_VISIBLE_DEVICES</c> from <c>container.gpus</c>,
    /// <c>HF_HOME</c> from a host-path <c>container.hf_cache</c>, the token, LoRA and sleep switches; health check,
    /// logs in the dashboard, scraped like a container.
    /// </summary>
    public static IResourceBuilder<EngineProcessResource> AddEngineProcess(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, BackendSettings backend, string workingDirectory,
        IResourceBuilder<ParameterResource>? hfToken = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(backend);
        var python = backend.Process.Python ?? throw new ArgumentException("process.python is required", nameof(backend));

        var process = builder.AddResource(new EngineProcessResource(name, backend, python, workingDirectory))
            // PORT as well as --port: Aspire allocates the target port of an endpoint that names its variable.
            .WithHttpEndpoint(name: "http", env: "PORT")
            .WithHttpHealthCheck(backend.Profile.HealthPath);
        var endpoint = process.Resource.GetEndpoint("http");
        process
            .WithArgs(context => EngineArgs.AddForProcess(context.Args, backend, endpoint.Property(EndpointProperty.TargetPort)))
            .WithEnvironment(context => AddEnvironment(context.EnvironmentVariables, backend))
            .WithRuntimeLora(backend)
            .WithSleepMode(backend)
            .WithAdapterCommands(backend)
            .WithSleepCommands(backend)
            .WithSleepStatus(backend);
        if (hfToken is not null)
        {
            process.WithEnvironment("HF_TOKEN", hfToken);
        }
        return process;
    }

    internal static void AddEnvironment(IDictionary<string, object> environment, BackendSettings backend)
    {
        if (backend.Container.Gpus.CudaVisibleDevices is { } devices)
        {
            // Device ids as nvidia-smi and Docker number them, not CUDA's fastest-first order.
            environment["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID";
            environment["CUDA_VISIBLE_DEVICES"] = devices;
        }
        if (backend.Container.HfCache.StartsWith('/'))
        {
            environment["HF_HOME"] = backend.Container.HfCache;
        }
        foreach (var (name, value) in backend.Process.Environment)
        {
            environment[name] = value;
        }
    }
}
