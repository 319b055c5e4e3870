namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>Debian's prometheus run by the AppHost, on loopback beside its targets.</summary>
public sealed class PrometheusExecutableResource(string name, string command, string directory)
    : ExecutableResource(name, command, directory), IPrometheusResource
{
    public string ConfigDirectory => WorkingDirectory;

    public EndpointReference HttpEndpoint => field ??= new(this, "http");

    public string Target(string hostPort) => hostPort;
}
