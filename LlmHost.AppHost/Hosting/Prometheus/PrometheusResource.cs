namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>Prometheus as a container: it reaches targets on the host through <c>host.docker.internal</c>.</summary>
public sealed class PrometheusResource(string name, string configDirectory) : ContainerResource(name), IPrometheusResource
{
    internal const int ContainerPort = 9090;

    public string ConfigDirectory { get; } = configDirectory;

    public EndpointReference HttpEndpoint => field ??= new(this, "http");

    public string Target(string hostPort) =>
        hostPort.StartsWith("127.0.0.1:", StringComparison.Ordinal) ? "host.docker.internal:" + hostPort["127.0.0.1:".Length..] : hostPort;
}
