using LlmHost.AppHost.Hosting.HostProcess;
using LlmHost.AppHost.Hosting.Prometheus;
using LlmHost.AppHost.Hosting.Sglang;
using LlmHost.AppHost.Hosting.Simulator;
using LlmHost.AppHost.Hosting.Vllm;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Stage 1: every backend instance, as a GPU container, a simulator or an external server (see
/// <see cref="BackendModeResolver"/>). Gateways find a backend's instances under its name, whatever their number
/// (<c>services__NAME__http__0</c>, <c>__1</c>, …), and Prometheus scrapes them as one job.
/// </summary>
internal static class BackendsStage
{
    public static void Add(StackContext context)
    {
        IResourceBuilder<ParameterResource>? hfToken = null;
        foreach (var backend in context.Config.Backends)
        {
            var (mode, reason) = BackendModeResolver.Resolve(backend, context.Runtime, context.Options.Containers);
            context.Notice($"backend '{backend.Name}' ({backend.Profile.Name}, {backend.EffectiveServedModelName}): {reason}");
            var endpoints = new List<EndpointReference>();
            var staticTargets = new List<string>();
            var names = backend.InstanceNames();
            for (var i = 0; i < names.Count; i++)
            {
                context.Resources.Backends.Add((backend, names[i], mode));
                if (mode == DeploymentMode.External)
                {
                    var external = context.Builder.AddExternalService(names[i], backend.Url!);
                    var uri = new Uri(backend.Url!);
                    staticTargets.Add($"{uri.Host}:{uri.Port}");
                    context.GatewayWiring.Add(g => g.WithReference(external));
                    continue;
                }
                var (resource, endpoint) = mode switch
                {
                    DeploymentMode.Container => AddContainer(context, backend, names[i], hfToken ??= context.Builder.AddParameter("hf-token", secret: true)),
                    // A process inherits the machine's Hugging Face login; the parameter only when it is set.
                    DeploymentMode.Process => AddProcess(context, backend, names[i],
                        context.Builder.Configuration["Parameters:hf-token"] is { Length: > 0 } ? hfToken ??= context.Builder.AddParameter("hf-token", secret: true) : null),
                    _ => AddSimulator(context, backend, names[i]),
                };
                endpoints.Add(endpoint);
                var entry = $"services__{backend.Name}__http__{i}";
                context.GatewayWiring.Add(g => g.WithEnvironment(entry, endpoint).WithReferenceRelationship(resource));
            }
            context.BackendScrapeJobs.Add(new ScrapeJob(backend.Name, endpoints, staticTargets, new Dictionary<string, string>
            {
                ["llmhost_engine"] = backend.Profile.Name,
                ["llmhost_mode"] = mode.ToString().ToLowerInvariant(),
            }));
        }
    }

    private static (IResource, EndpointReference) AddContainer(StackContext context, BackendSettings backend, string name, IResourceBuilder<ParameterResource> hfToken)
    {
        if (backend.EngineKind == BackendEngine.Vllm)
        {
            var vllm = context.Builder.AddVllm(name, backend, hfToken);
            return (vllm.Resource, vllm.Resource.PrimaryEndpoint);
        }
        var sglang = context.Builder.AddSglang(name, backend, hfToken);
        return (sglang.Resource, sglang.Resource.PrimaryEndpoint);
    }

    private static (IResource, EndpointReference) AddProcess(StackContext context, BackendSettings backend, string name, IResourceBuilder<ParameterResource>? hfToken)
    {
        var process = context.Builder.AddEngineProcess(name, backend, Path.GetDirectoryName(context.ConfigPath)!, hfToken);
        return (process.Resource, process.GetEndpoint("http"));
    }

    private static (IResource, EndpointReference) AddSimulator(StackContext context, BackendSettings backend, string name)
    {
        var simulator = context.Builder.AddSimulatedBackend(name, backend);
        // The gateway's first discovery round should find the simulators up.
        context.GatewayWiring.Add(g => g.WaitFor(simulator));
        return (simulator.Resource, simulator.GetEndpoint("http"));
    }
}
