namespace LlmHost.AppHost.Hosting.Prometheus;

internal static class PrometheusContainerImageTags
{
    public const string Registry = "docker.io";
    public const string Image = "prom/prometheus";
    public const string Tag = "v2.53.4";
}
