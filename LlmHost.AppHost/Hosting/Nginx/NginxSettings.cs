namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>What the rendered nginx.conf takes from config.yaml.</summary>
public sealed record NginxSettings(long MaxBodyBytes, IReadOnlyList<string> MetricsAllow);
