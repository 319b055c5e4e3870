using System.Globalization;

namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>
/// Nginx at the edge: buffering off for SSE, long read timeouts, least-connections across the gateway replicas.
/// Add it as a local executable or a container, then <see cref="WithGatewayUpstreams"/>: its nginx.conf is rendered
/// from <c>nginx/nginx.conf.template</c> just before it starts, when the gateways' addresses are known.
/// </summary>
public static class NginxBuilderExtensions
{
    public const string HealthPath = "/nginx-health";

    /// <summary>Runs Debian's nginx binary as an executable resource (no container engine needed).</summary>
    public static IResourceBuilder<NginxExecutableResource> AddNginxExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string nginxPath, string runDirectory, int? port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(nginxPath);
        var directory = Path.Combine(runDirectory, name);
        return builder.AddResource(new NginxExecutableResource(name, nginxPath, directory))
            .WithArgs("-p", directory + "/", "-c", "nginx.conf", "-e", "stderr", "-g", "daemon off;")
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpUrl("/v1", "OpenAI base URL through the edge (/v1)")
            .WithHttpHealthCheck(HealthPath);
    }

    /// <summary>Runs Nginx as a container (where a container engine runs but nginx is not installed).</summary>
    public static IResourceBuilder<NginxResource> AddNginx(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string runDirectory, int? port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var directory = Path.Combine(runDirectory, name);
        Directory.CreateDirectory(directory);
        return builder.AddResource(new NginxResource(name, directory))
            .WithImage(NginxContainerImageTags.Image, NginxContainerImageTags.Tag)
            .WithImageRegistry(NginxContainerImageTags.Registry)
            .WithHttpEndpoint(port: port, targetPort: NginxResource.ContainerPort, name: "http")
            .WithHttpUrl("/v1", "OpenAI base URL through the edge (/v1)")
            .WithHttpHealthCheck(HealthPath)
            .WithBindMount(Path.Combine(directory, "nginx.conf"), "/etc/nginx/nginx.conf", isReadOnly: true)
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
    }

    /// <summary>Proxies to <paramref name="gateways"/>, started after them, with nginx.conf rendered from <paramref name="templatePath"/>.</summary>
    public static IResourceBuilder<T> WithGatewayUpstreams<T>(this IResourceBuilder<T> nginx, string templatePath,
        IReadOnlyList<IResourceBuilder<ProjectResource>> gateways, NginxSettings settings) where T : INginxResource
    {
        foreach (var gateway in gateways)
        {
            nginx.WaitFor(gateway);
        }
        nginx.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(nginx.Resource, async (_, cancellationToken) =>
        {
            var resource = nginx.Resource;
            var upstreams = gateways.Select(g => resource.Upstream(g.GetEndpoint("http")));
            await WriteConfigAsync(templatePath, resource.ConfigDirectory, await resource.ListenAsync(cancellationToken), upstreams, settings,
                cancellationToken, resource.RunDirectoryInConfig);
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
}
