using System.Globalization;
using LlmHost.AppHost.Hosting.Runtime;

namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>What the rendered nginx.conf takes from config.yaml.</summary>
public sealed record NginxSettings(long MaxBodyBytes, IReadOnlyList<string> MetricsAllow);

/// <summary>
/// Nginx at the edge: buffering off for SSE, long read timeouts, least-connections across the gateway replicas.
/// Its nginx.conf is rendered from <c>nginx/nginx.conf.template</c> just before it starts, when the gateways'
/// addresses are known.
/// </summary>
public static class NginxBuilderExtensions
{
    public const string HealthPath = "/nginx-health";

    /// <summary>Runs Debian's nginx binary as an executable resource (no container engine needed).</summary>
    public static IResourceBuilder<ExecutableResource> AddNginxExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string nginxPath, string templatePath,
        string runDirectory, int? port, IReadOnlyList<IResourceBuilder<ProjectResource>> gateways, NginxSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(nginxPath);
        var directory = Path.Combine(runDirectory, name);
        var nginx = builder.AddExecutable(name, nginxPath, directory, "-p", directory + "/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;")
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpHealthCheck(HealthPath);
        foreach (var gateway in gateways)
        {
            nginx.WaitFor(gateway);
        }

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(nginx.Resource, async (_, cancellationToken) =>
        {
            var listen = await nginx.GetEndpoint("http").Property(EndpointProperty.TargetPort).GetValueAsync(cancellationToken);
            var upstreams = gateways.Select(g => TemplateRenderer.HostPort(g.GetEndpoint("http")));
            await WriteConfigAsync(templatePath, directory, $"127.0.0.1:{listen}", upstreams, settings, cancellationToken);
        });
        return nginx;
    }

    /// <summary>Renders nginx.conf (and the writable temp folders nginx needs) into <paramref name="directory"/>.</summary>
    public static async Task WriteConfigAsync(
        string templatePath, string directory, string listen, IEnumerable<string> upstreams, NginxSettings settings,
        CancellationToken cancellationToken, string? runDirInConfig = null)
    {
        foreach (var folder in (string[])["logs", "client_body_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"])
        {
            var path = Path.Combine(directory, folder);
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows())
            {
                // Workers of a root master run as 'nobody' and must be able to write here.
                File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
            }
        }
        var template = await File.ReadAllTextAsync(templatePath, cancellationToken);
        var config = TemplateRenderer.Render(template, new Dictionary<string, string>
        {
            ["LISTEN"] = listen,
            ["RUN_DIR"] = runDirInConfig ?? directory,
            ["UPSTREAM_SERVERS"] = string.Join("\n        ", upstreams.Select(u => $"server {u} max_fails=0;")),
            ["MAX_BODY"] = ((settings.MaxBodyBytes / (1024 * 1024)) + 1).ToString(CultureInfo.InvariantCulture) + "m",
            ["METRICS_ACCESS"] = MetricsAccess(settings.MetricsAllow),
        });
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), config, cancellationToken);
    }

    // Who may read /metrics through the edge: the listed addresses or networks, nobody else.
    internal static string MetricsAccess(IReadOnlyList<string> allowed) =>
        string.Concat(allowed.Select(a => $"allow {a};\n            ")) + "deny all;";

    public static bool IsInstalled(out string? path)
    {
        path = ExecutableLocator.Find("nginx");
        return path is not null;
    }
}
