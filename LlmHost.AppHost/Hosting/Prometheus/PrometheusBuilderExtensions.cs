using System.Text;

namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>A scrape job: the resources (or fixed addresses) Prometheus pulls <c>/metrics</c> from.</summary>
public sealed record ScrapeJob(string Name, IReadOnlyList<EndpointReference> Endpoints, IReadOnlyList<string> StaticTargets, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// Prometheus scraping the gateways and every backend; prometheus.yml is rendered from
/// <c>monitoring/prometheus/prometheus.yml.template</c> just before it starts, when the targets' ports are known.
/// </summary>
public static class PrometheusBuilderExtensions
{
    public const string ReadyPath = "/-/ready";

    public static IResourceBuilder<ExecutableResource> AddPrometheusExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string prometheusPath, string templatePath,
        string runDirectory, int? port, string scrapeInterval, IReadOnlyList<ScrapeJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        var prometheus = builder.AddExecutable(name, prometheusPath, directory)
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpHealthCheck(ReadyPath);
        var endpoint = prometheus.GetEndpoint("http");
        prometheus.WithArgs(
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            "--storage.tsdb.retention.time=1d",
            "--web.enable-lifecycle",
            ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
        {
            var template = await File.ReadAllTextAsync(templatePath, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), Render(template, scrapeInterval, jobs), cancellationToken);
        });
        return prometheus;
    }

    public static string Render(string template, string scrapeInterval, IReadOnlyList<ScrapeJob> jobs)
    {
        var configs = new StringBuilder();
        foreach (var job in jobs)
        {
            var targets = job.StaticTargets.Concat(job.Endpoints.Where(e => e.IsAllocated).Select(TemplateRenderer.HostPort)).ToList();
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
