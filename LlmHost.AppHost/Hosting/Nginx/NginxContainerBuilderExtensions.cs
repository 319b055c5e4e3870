namespace LlmHost.AppHost.Hosting.Nginx;

public static class NginxContainerBuilderExtensions
{
    public const string Image = "docker.io/library/nginx";
    public const string Tag = "1.27.5-alpine";
    private const int ContainerPort = 8080;

    /// <summary>
    /// Nginx as a container (used when a container engine runs but nginx is not installed). It reaches the
    /// gateways on the host through <c>host.docker.internal</c>.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddNginxContainer(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string templatePath, string runDirectory,
        int? port, IReadOnlyList<IResourceBuilder<ProjectResource>> gateways, NginxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var nginx = builder.AddContainer(name, Image, Tag)
            .WithHttpEndpoint(port: port, targetPort: ContainerPort, name: "http")
            .WithHttpHealthCheck(NginxBuilderExtensions.HealthPath)
            .WithBindMount(Path.Combine(directory, "nginx.conf"), "/etc/nginx/nginx.conf", isReadOnly: true)
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
        foreach (var gateway in gateways)
        {
            nginx.WaitFor(gateway);
        }
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(nginx.Resource, (_, cancellationToken) =>
            NginxBuilderExtensions.WriteConfigAsync(templatePath, directory, $"0.0.0.0:{ContainerPort}",
                gateways.Select(g => $"host.docker.internal:{g.GetEndpoint("http").Port}"), settings, cancellationToken, runDirInConfig: "/tmp"));
        return nginx;
    }
}
