using System.Text.RegularExpressions;

namespace LlmHost.Backends.Configuration;

/// <summary>
/// The rules a bound <see cref="LlmHostConfig"/> must follow; each broken rule is one <see cref="ConfigError"/>.
/// One file per section: gateway, limits, backends, routing, logging; edge and monitoring here.
/// </summary>
public static partial class ConfigValidator
{
    private const int MaxReplicas = 32;

    public static List<ConfigError> Validate(LlmHostConfig config, IReadOnlyDictionary<string, int>? lines = null)
    {
        var errors = new List<ConfigError>();
        void Error(string path, string message)
        {
            errors.Add(new ConfigError(path, ConfigLines.Find(lines, path), message));
        }

        ValidateGateway(config.Gateway, Error);
        ValidateLimits(config.Limits, Error);
        ValidateBackends(config.Backends, Error);
        for (var i = 0; i < config.Backends.Count; i++)
        {
            if (config.Gateway.Replicas > 1 && config.Backends[i].Sleep.IdleAfter is not null)
            {
                // Each replica sees only its own requests: one could put to sleep an engine another is using.
                Error($"backends[{i}].sleep.idle_after", $"is per gateway process, and gateway.replicas is {config.Gateway.Replicas}: sleep by hand (admin API, dashboard) or run one replica");
            }
        }
        ValidateRouting(config, Error);
        ValidateEdgeAndMonitoring(config, Error);
        ValidateLogging(config.Logging, Error);
        return errors;
    }

    private static void ValidateEdgeAndMonitoring(LlmHostConfig config, Action<string, string> error)
    {
        CheckNetworks("edge.metrics_allow", config.Edge.MetricsAllow, error);
        CheckPort("edge.port", config.Edge.Port, error);
        CheckPort("monitoring.prometheus.port", config.Monitoring.Prometheus.Port, error);
        CheckDuration("monitoring.prometheus.scrape_interval", config.Monitoring.Prometheus.ScrapeInterval, TimeSpan.FromSeconds(1), error);
    }

    private static void CheckNetworks(string path, List<string> entries, Action<string, string> error)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(entries[i], out _) && !System.Net.IPAddress.TryParse(entries[i], out _))
            {
                error($"{path}[{i}]", $"'{entries[i]}' is neither an IP address nor a network such as 10.0.0.0/8");
            }
        }
    }

    private static void CheckPort(string path, int port, Action<string, string> error)
    {
        if (port is < 0 or > 65535)
        {
            error(path, $"{port} is not a port number (0 to 65535)");
        }
    }

    private static void CheckRange(string path, int value, int minimum, int maximum, Action<string, string> error)
    {
        if (value < minimum || value > maximum)
        {
            error(path, $"{value} is out of range ({minimum} to {maximum})");
        }
    }

    private static void CheckDuration(string path, TimeSpan value, TimeSpan minimum, Action<string, string> error)
    {
        if (value < minimum)
        {
            error(path, $"'{Duration.Format(value)}' is shorter than the minimum {minimum.TotalMilliseconds}ms");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,47}$")]
    private static partial Regex ResourceName();

}
