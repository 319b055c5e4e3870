namespace LlmHost.AppHost.Hosting.Grafana;

/// <summary>
/// Grafana as a container, provisioned from <c>monitoring/grafana/</c>: the Prometheus datasource (its URL from the
/// Prometheus resource, expanded by Grafana from <c>PROMETHEUS_URL</c>) and the LlmHost dashboards, read-only.
/// The admin password is a secret parameter (generated once and kept in the AppHost's user secrets unless set).
/// </summary>
public static class GrafanaBuilderExtensions
{
    public const string PasswordParameterName = "grafana-admin-password";

    public static IResourceBuilder<GrafanaResource> AddGrafana(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string grafanaDirectory, int? port)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var password = builder.AddParameter(PasswordParameterName, new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true, persist: true);
        return builder.AddResource(new GrafanaResource(name))
            .WithImage(GrafanaContainerImageTags.Image, GrafanaContainerImageTags.Tag)
            .WithImageRegistry(GrafanaContainerImageTags.Registry)
            .WithHttpEndpoint(port: port, targetPort: GrafanaResource.ContainerPort, name: "http")
            .WithHttpHealthCheck("/api/health")
            .WithBindMount(Path.Combine(grafanaDirectory, "provisioning"), "/etc/grafana/provisioning", isReadOnly: true)
            .WithBindMount(Path.Combine(grafanaDirectory, "dashboards"), "/var/lib/grafana/dashboards", isReadOnly: true)
            .WithEnvironment("GF_SECURITY_ADMIN_USER", "admin")
            .WithEnvironment("GF_SECURITY_ADMIN_PASSWORD", password)
            .WithEnvironment("GF_AUTH_ANONYMOUS_ENABLED", "false")
            .WithEnvironment("GF_USERS_ALLOW_SIGN_UP", "false")
            .WithEnvironment("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "/var/lib/grafana/dashboards/gateway.json")
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
    }

    /// <summary>Shows <paramref name="prometheus"/>'s data: its URL for the provisioned datasource, started after it.</summary>
    public static IResourceBuilder<GrafanaResource> WithPrometheus<T>(this IResourceBuilder<GrafanaResource> grafana, IResourceBuilder<T> prometheus)
        where T : class, IResourceWithEndpoints, IResourceWithWaitSupport =>
        grafana.WithEnvironment("PROMETHEUS_URL", prometheus.GetEndpoint("http")).WaitFor(prometheus);
}
