using System.Text;

namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>
/// Prometheus scraping the gateways and every backend. Add it as a local executable or a container, then
/// <see cref="WithScrapeJobs"/>: prometheus.yml is rendered from <c>monitoring/prometheus/prometheus.yml.template</c>
/// just before it starts, when the targets' ports are known.
/// </summary>
public static class PrometheusBuilderExtensions
{
    public const string ReadyPath = "/-/ready";

    public static IResourceBuilder<PrometheusExecutableResource> AddPrometheusExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string prometheusPath, string runDirectory, int? port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var prometheus = builder.AddResource(new PrometheusExecutableResource(name, prometheusPath, directory))
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpUrl("/targets", "Prometheus targets")
            .WithHttpHealthCheck(ReadyPath);
        return prometheus.WithArgs(
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            "--storage.tsdb.retention.time=1d",
            "--web.enable-lifecycle",
            ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{prometheus.Resource.HttpEndpoint.Property(EndpointProperty.TargetPort)}"));
    }

    /// <summary>Prometheus as a container (where a container engine runs but prometheus is not installed).</summary>
    public static IResourceBuilder<PrometheusResource> AddPrometheus(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string runDirectory, int? port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        return builder.AddResource(new PrometheusResource(name, directory))
            .WithImage(PrometheusContainerImageTags.Image, PrometheusContainerImageTags.Tag)
            .WithImageRegistry(PrometheusContainerImageTags.Registry)
            .WithHttpEndpoint(port: port, targetPort: PrometheusResource.ContainerPort, name: "http")
            .WithHttpUrl("/targets", "Prometheus targets")
            .WithHttpHealthCheck(ReadyPath)
            .WithBindMount(Path.Combine(directory, "prometheus.yml"), "/etc/prometheus/prometheus.yml", isReadOnly: true)
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
    }

    /// <summary>Scrapes <paramref name="jobs"/> every <paramref name="scrapeInterval"/>, with prometheus.yml rendered from <paramref name="templatePath"/>.</summary>
    public static IResourceBuilder<T> WithScrapeJobs<T>(this IResourceBuilder<T> prometheus, string templatePath, string scrapeInterval,
        IReadOnlyList<ScrapeJob> jobs) where T : IPrometheusResource
    {
        prometheus.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
        {
            var template = await File.ReadAllTextAsync(templatePath, cancellationToken);
            var rendered = Render(template, scrapeInterval, jobs, prometheus.Resource.Target);
            await File.WriteAllTextAsync(Path.Combine(prometheus.Resource.ConfigDirectory, "prometheus.yml"), rendered, cancellationToken);
        });
        return prometheus;
    }

    public static string Render(string template, string scrapeInterval, IReadOnlyList<ScrapeJob> jobs, Func<string, string>? target = null)
    {
        var configs = new StringBuilder();
        foreach (var job in jobs)
        {
            var targets = job.StaticTargets.Concat(job.Endpoints.Where(e => e.IsAllocated).Select(TemplateRenderer.HostPort)).Select(target ?? (t => t)).ToList();
            if (targets.Count == 0)
            {
                continue;
            }
            configs.Append("  - job_name: '").Append(job.Name).Append("'\n");
            configs.Append("    metrics_path: /metrics\n");
            configs.Append("    static_configs:\n");
            configs.Append("      - targets: [").Append(string.Join(", ", targets.Select(t => $"'{t}'"))).Append("]\n");
            if (job.Labels.Count > 0)
            {
                configs.Append("        labels:\n");
                foreach (var (key, value) in job.Labels)
                {
                    configs.Append("          ").Append(key).Append(": '").Append(value).Append("'\n");
                }
            }
        }
        return TemplateRenderer.Render(template, new Dictionary<string, string>
        {
            ["SCRAPE_INTERVAL"] = scrapeInterval,
            ["SCRAPE_CONFIGS"] = configs.ToString().TrimEnd('\n'),
        });
    }
}
