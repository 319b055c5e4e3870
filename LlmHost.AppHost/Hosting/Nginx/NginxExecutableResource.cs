namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>Debian's nginx run by the AppHost: it listens on loopback and reaches the gateways there.</summary>
public sealed class NginxExecutableResource(string name, string command, string directory)
    : ExecutableResource(name, command, directory), INginxResource
{
    public string ConfigDirectory => WorkingDirectory;

    public EndpointReference HttpEndpoint => field ??= new(this, "http");

    public string RunDirectoryInConfig => WorkingDirectory;

    public async Task<string> ListenAsync(CancellationToken cancellationToken) =>
        $"127.0.0.1:{await HttpEndpoint.Property(EndpointProperty.TargetPort).GetValueAsync(cancellationToken)}";

    public string Upstream(EndpointReference gateway) => TemplateRenderer.HostPort(gateway);
}
