namespace LlmHost.AppHost.Hosting.Grafana;

/// <summary>Grafana, provisioned with the Prometheus datasource and the LlmHost dashboards (container only: Debian has no package).</summary>
public sealed class GrafanaResource(string name) : ContainerResource(name)
{
    internal const int ContainerPort = 3000;

    public EndpointReference HttpEndpoint => field ??= new(this, "http");
}
