namespace LlmHost.AppHost.Hosting.Prometheus;

public static class PrometheusContainerBuilderExtensions
{
    public const string Image = "docker.io/prom/prometheus";
    public const string Tag = "v2.53.4";
    private const int ContainerPort = 9090;

    /// <summary>Prometheus as a container (when an engine runs but prometheus is not installed); targets via host.docker.internal.</summary>
    public static IResourceBuilder<ContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string templatePath, string runDirectory,
        int? port, string scrapeInterval, IReadOnlyList<ScrapeJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var prometheus = builder.AddContainer(name, Image, Tag)
            .WithHttpEndpoint(port: port, targetPort: ContainerPort, name: "http")
            .WithHttpHealthCheck(PrometheusBuilderExtensions.ReadyPath)
            .WithBindMount(Path.Combine(directory, "prometheus.yml"), "/etc/prometheus/prometheus.yml", isReadOnly: true)
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
        {
            var template = await File.ReadAllTextAsync(templatePath, cancellationToken);
            var rendered = PrometheusBuilderExtensions.Render(template, scrapeInterval, jobs)
                .Replace("'127.0.0.1:", "'host.docker.internal:", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), rendered, cancellationToken);
        });
        return prometheus;
    }
}
