namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>Nginx as a container: it listens on its own port and reaches the gateways on the host through <c>host.docker.internal</c>.</summary>
public sealed class NginxResource(string name, string configDirectory) : ContainerResource(name), INginxResource
{
    internal const int ContainerPort = 8080;

    public string ConfigDirectory { get; } = configDirectory;

    public EndpointReference HttpEndpoint => field ??= new(this, "http");

    public string RunDirectoryInConfig => "/tmp";

    public Task<string> ListenAsync(CancellationToken cancellationToken) => Task.FromResult($"0.0.0.0:{ContainerPort}");

    public string Upstream(EndpointReference gateway) => $"host.docker.internal:{gateway.Port}";
}
