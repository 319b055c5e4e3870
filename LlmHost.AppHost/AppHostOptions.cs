using Microsoft.Extensions.Configuration;

namespace LlmHost.AppHost;

/// <summary>
/// The AppHost's switches, from the <c>LlmHost</c> configuration section: command line
/// (<c>--LlmHost:Containers=off</c>), environment (<c>LlmHost__Containers=off</c>) or appsettings.json.
/// </summary>
public sealed class AppHostOptions
{
    public const string SectionName = "LlmHost";

    /// <summary>Path of config.yaml; default <c>../config/config.yaml</c> from the AppHost project.</summary>
    public string? Config { get; set; }

    /// <summary>Path of the gateway's key file; default <c>../config/api_keys.json</c> from the AppHost project.</summary>
    public string? Keys { get; set; }

    /// <summary>Whether container resources (vLLM/SGLang GPU containers, container Nginx/Prometheus) may be used.</summary>
    public Switch Containers { get; set; } = Switch.Auto;

    public Switch Nginx { get; set; } = Switch.Auto;

    public Switch Prometheus { get; set; } = Switch.Auto;

    /// <summary><c>auto</c>/<c>on</c>: Grafana as a container when an engine runs (and Prometheus runs); <c>off</c>: never.</summary>
    public Switch Grafana { get; set; } = Switch.Auto;

    /// <summary>Overrides <c>edge.port</c> (0 = any free port).</summary>
    public int? EdgePort { get; set; }

    /// <summary>Overrides <c>monitoring.prometheus.port</c> (0 = any free port).</summary>
    public int? PrometheusPort { get; set; }

    /// <summary>Where generated nginx.conf / prometheus.yml and Prometheus' data go; default a new temp folder per run.</summary>
    public string? RunDirectory { get; set; }

    /// <summary>Instead of starting the stack: stop and remove the engine containers (they are persistent) and exit.</summary>
    public bool StopContainers { get; set; }

    public static AppHostOptions From(IConfiguration configuration)
    {
        var options = new AppHostOptions();
        configuration.GetSection(SectionName).Bind(options);
        return options;
    }
}
