namespace LlmHost.AppHost.Hosting.Nginx;

internal static class NginxContainerImageTags
{
    public const string Registry = "docker.io";
    public const string Image = "library/nginx";
    public const string Tag = "1.27.5-alpine";
}
