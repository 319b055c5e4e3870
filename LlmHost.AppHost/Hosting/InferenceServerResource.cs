using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting;

/// <summary>A GPU inference server container (vLLM or SGLang) that the gateway reaches by service discovery.</summary>
public abstract class InferenceServerResource(string name, BackendSettings backend)
    : ContainerResource(name), IResourceWithServiceDiscovery
{
    internal const string HttpEndpointName = "http";

    private EndpointReference? _primaryEndpoint;

    /// <summary>The config.yaml entry this server was built from.</summary>
    public BackendSettings Backend { get; } = backend;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, HttpEndpointName);
}
