namespace LlmHost.AppHost.Hosting.Grafana;

internal static class GrafanaContainerImageTags
{
    public const string Registry = "docker.io";
    public const string Image = "grafana/grafana";
    public const string Tag = "12.0.2";
}
