using System.Text.RegularExpressions;
using LlmHost.Backends.Engines;

namespace LlmHost.Backends.Configuration;

/// <summary>The rules a bound <see cref="LlmHostConfig"/> must follow; each broken rule is one <see cref="ConfigError"/>.</summary>
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
        ValidateRouting(config, Error);
        for (var i = 0; i < config.Edge.MetricsAllow.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(config.Edge.MetricsAllow[i], out _) && !System.Net.IPAddress.TryParse(config.Edge.MetricsAllow[i], out _))
            {
                Error($"edge.metrics_allow[{i}]", $"'{config.Edge.MetricsAllow[i]}' is neither an IP address nor a network such as 10.0.0.0/8");
            }
        }
        if (config.Edge.Port is < 0 or > 65535)
        {
            Error("edge.port", $"{config.Edge.Port} is not a port number (0 to 65535)");
        }
        if (config.Monitoring.Prometheus.Port is < 0 or > 65535)
        {
            Error("monitoring.prometheus.port", $"{config.Monitoring.Prometheus.Port} is not a port number (0 to 65535)");
        }
        CheckDuration("monitoring.prometheus.scrape_interval", config.Monitoring.Prometheus.ScrapeInterval, TimeSpan.FromSeconds(1), Error);
        if (string.IsNullOrWhiteSpace(config.Logging.Dir))
        {
            Error("logging.dir", "must not be empty");
        }
        var accessLog = config.Logging.AccessLog;
        if (ByteSize.TryParse(accessLog.MaxFileSize) is not >= 1024)
        {
            Error("logging.access_log.max_file_size", $"'{accessLog.MaxFileSize}' is not a size of 1KB or more, such as 512KB, 100MB or 1GB");
        }
        if (accessLog.RetainedFiles < 1)
        {
            Error("logging.access_log.retained_files", "must be at least 1");
        }
        if (accessLog.RetainedDays < 0)
        {
            Error("logging.access_log.retained_days", "must not be negative (0 keeps files whatever their age)");
        }
        var totalBound = string.IsNullOrWhiteSpace(accessLog.MaxTotalSize) ? 0 : ByteSize.TryParse(accessLog.MaxTotalSize);
        if (totalBound is null || (totalBound > 0 && totalBound < ByteSize.TryParse(accessLog.MaxFileSize)))
        {
            Error("logging.access_log.max_total_size", $"'{accessLog.MaxTotalSize}' is not a size of at least max_file_size ({accessLog.MaxFileSize}), such as 2GB; 0 for no bound");
        }
        var audit = config.Logging.AuditLog;
        if (ByteSize.TryParse(audit.MaxFileSize) is not >= 1024)
        {
            Error("logging.audit_log.max_file_size", $"'{audit.MaxFileSize}' is not a size of 1KB or more, such as 10MB");
        }
        if (audit.RetainedFiles < 1)
        {
            Error("logging.audit_log.retained_files", "must be at least 1: rotated audit files are the history of admin changes");
        }
        if (audit.RetainedDays < 0)
        {
            Error("logging.audit_log.retained_days", "must not be negative (0 keeps files whatever their age)");
        }
        return errors;
    }

    private static void ValidateGateway(GatewaySettings gateway, Action<string, string> error)
    {
        for (var i = 0; i < gateway.TrustedProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(gateway.TrustedProxies[i], out _))
            {
                error($"gateway.trusted_proxies[{i}]", $"'{gateway.TrustedProxies[i]}' is not an IP address");
            }
        }
        for (var i = 0; i < gateway.MetricsAllow.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(gateway.MetricsAllow[i], out _) && !System.Net.IPAddress.TryParse(gateway.MetricsAllow[i], out _))
            {
                error($"gateway.metrics_allow[{i}]", $"'{gateway.MetricsAllow[i]}' is neither an IP address nor a network such as 10.0.0.0/8");
            }
        }
        if (gateway.MaxRequestBodyMb is < 1 or > 1024)
        {
            error("gateway.max_request_body_mb", $"{gateway.MaxRequestBodyMb} is out of range (1 to 1024)");
        }
        if (gateway.Replicas is < 1 or > MaxReplicas)
        {
            error("gateway.replicas", $"{gateway.Replicas} is out of range (1 to {MaxReplicas})");
        }
        if (gateway.MaxBufferedBodyMb is < 1 or > 65536)
        {
            error("gateway.max_buffered_body_mb", $"{gateway.MaxBufferedBodyMb} is out of range (1 to 65536)");
        }
        if (gateway.MaxBufferedBodyPerKeyMb < gateway.MaxRequestBodyMb || gateway.MaxBufferedBodyPerKeyMb > gateway.MaxBufferedBodyMb)
        {
            error("gateway.max_buffered_body_per_key_mb",
                $"{gateway.MaxBufferedBodyPerKeyMb} must be at least max_request_body_mb ({gateway.MaxRequestBodyMb}) and at most max_buffered_body_mb ({gateway.MaxBufferedBodyMb})");
        }
        for (var i = 0; i < gateway.ForwardHeaders.Count; i++)
        {
            var name = gateway.ForwardHeaders[i];
            if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                error($"gateway.forward_headers[{i}]", $"'{name}' is not a header name (letters, digits, '-' and '_', at most 64)");
            }
            else if (NeverForwarded.Contains(name) || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase))
            {
                error($"gateway.forward_headers[{i}]", $"'{name}' is never forwarded: credentials, hop-by-hop and forwarding headers are the gateway's own");
            }
        }
        if (gateway.OperatorFields is not ("refuse" or "remove"))
        {
            error("gateway.operator_fields", $"'{gateway.OperatorFields}' is not one of refuse, remove");
        }
        if (gateway.Server.MaxConnections is < 1 or > 1_000_000)
        {
            error("gateway.server.max_connections", $"{gateway.Server.MaxConnections} is out of range (1 to 1000000)");
        }
        if (gateway.Server.MinRequestBodyRate is < 0 or > 1_000_000_000)
        {
            error("gateway.server.min_request_body_rate", $"{gateway.Server.MinRequestBodyRate} is out of range (0 to 1000000000 bytes per second; 0 switches the check off)");
        }
        CheckDuration("gateway.server.request_headers_timeout", gateway.Server.RequestHeadersTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration("gateway.server.request_body_timeout", gateway.Server.RequestBodyTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration("gateway.connect_timeout", gateway.ConnectTimeout, TimeSpan.FromMilliseconds(10), error);
        CheckDuration("gateway.activity_timeout", gateway.ActivityTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration("gateway.key_rotation_overlap", gateway.KeyRotationOverlap, TimeSpan.Zero, error);
    }

    // Headers the gateway itself sets or must never pass on, whatever gateway.forward_headers says.
    private static readonly HashSet<string> NeverForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "x-api-key", "Cookie", "Host", "Content-Length", "Content-Type", "Content-Encoding",
        "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect", "Accept-Encoding", "Forwarded",
        "X-Real-IP", "traceparent", "tracestate", "baggage",
    };

    private static void ValidateLimits(LimitsSettings limits, Action<string, string> error)
    {
        if (limits.Store is not ("memory" or "redis"))
        {
            error("limits.store", $"'{limits.Store}' is not one of memory, redis");
        }
        var d = limits.Defaults;
        foreach (var (field, problem) in LimitRanges.Check(d.Qps, d.Burst, d.Concurrency, d.Tpm))
        {
            error($"limits.defaults.{field}", problem);
        }
        if (limits.Global.Concurrency is < 0 or > LimitRanges.MaxConcurrency)
        {
            error("limits.global.concurrency", $"{limits.Global.Concurrency} is out of range (0 to {LimitRanges.MaxConcurrency}; 0 means unlimited)");
        }
        if (limits.DefaultMaxTokens is < 1 or > LimitRanges.MaxContextTokens)
        {
            error("limits.default_max_tokens", $"{limits.DefaultMaxTokens} is out of range (1 to {LimitRanges.MaxContextTokens})");
        }
        var media = limits.MediaTokens;
        foreach (var (field, value) in (ReadOnlySpan<(string, int)>)[("image", media.Image), ("audio", media.Audio), ("video", media.Video)])
        {
            if (value is < 0 or > LimitRanges.MaxContextTokens)
            {
                error($"limits.media_tokens.{field}", $"{value} is out of range (0 to {LimitRanges.MaxContextTokens})");
            }
        }
        CheckDuration("limits.lease_ttl", limits.LeaseTtl, TimeSpan.FromSeconds(3), error);
    }

    private static void ValidateBackends(List<BackendSettings> backends, Action<string, string> error)
    {
        if (backends.Count == 0)
        {
            error("backends", "at least one backend is required");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < backends.Count; i++)
        {
            var b = backends[i];
            var at = $"backends[{i}]";
            if (string.IsNullOrEmpty(b.Name))
            {
                error($"{at}.name", "is required");
            }
            else if (!ResourceName().IsMatch(b.Name))
            {
                error($"{at}.name", $"'{b.Name}' must be lower-case letters, digits and hyphens, starting with a letter (at most 48)");
            }
            else if (!names.Add(b.Name))
            {
                error($"{at}.name", $"'{b.Name}' is used by another backend");
            }
            if (EngineProfile.ParseEngine(b.Engine) is null)
            {
                error($"{at}.engine", $"'{b.Engine}' is not one of {string.Join(", ", EngineProfile.EngineNames)}");
            }
            var mode = DeploymentModes.Parse(b.Mode);
            if (mode is null)
            {
                error($"{at}.mode", $"'{b.Mode}' is not one of {string.Join(", ", DeploymentModes.Names)}");
            }
            if (string.IsNullOrWhiteSpace(b.Model))
            {
                error($"{at}.model", "is required");
            }
            if (b.Replicas is < 1 or > MaxReplicas)
            {
                error($"{at}.replicas", $"{b.Replicas} is out of range (1 to {MaxReplicas})");
            }
            if (b.MaxModelLen is <= 0)
            {
                error($"{at}.max_model_len", "must be positive");
            }
            if (b.Tokenizer is { Length: > 0 } tokenizer && !TokenizerNames.IsKnownEncoding(tokenizer) && !tokenizer.EndsWith(".json", StringComparison.Ordinal))
            {
                error($"{at}.tokenizer", $"'{tokenizer}' is neither a known encoding ({string.Join(", ", TokenizerNames.Encodings)}) nor a tokenizer.json path");
            }
            if (mode == DeploymentMode.External)
            {
                if (string.IsNullOrEmpty(b.Url))
                {
                    error($"{at}.url", "is required when mode is external");
                }
                else if (!Uri.TryCreate(b.Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                {
                    error($"{at}.url", $"'{b.Url}' is not an absolute http(s) URL");
                }
                if (b.Replicas != 1)
                {
                    error($"{at}.replicas", "must be 1 for an external backend (list each URL as its own backend)");
                }
            }
            var adapters = new HashSet<string>(StringComparer.Ordinal);
            for (var j = 0; j < b.LoraModules.Count; j++)
            {
                var lora = b.LoraModules[j];
                if (string.IsNullOrWhiteSpace(lora.Name) || lora.Name.Contains(':'))
                {
                    error($"{at}.lora_modules[{j}].name", "is required and must not contain ':'");
                }
                else if (!adapters.Add(lora.Name))
                {
                    error($"{at}.lora_modules[{j}].name", $"'{lora.Name}' is listed twice");
                }
                if (string.IsNullOrWhiteSpace(lora.Path))
                {
                    error($"{at}.lora_modules[{j}].path", "is required");
                }
            }
            ValidateSimulator(b.Simulator, $"{at}.simulator", error);
            if (b.Container.TensorParallelSize < 1)
            {
                error($"{at}.container.tensor_parallel_size", "must be at least 1");
            }
            if (b.Container.GpuMemoryUtilization is <= 0 or > 1)
            {
                error($"{at}.container.gpu_memory_utilization", "must be in (0, 1]");
            }
            if (!GpuSpec().IsMatch(b.Container.Gpus))
            {
                error($"{at}.container.gpus", $"'{b.Container.Gpus}' is not 'all', a count, or device ids such as 0,1");
            }
        }
    }

    private static void ValidateSimulator(SimulatorSettings s, string at, Action<string, string> error)
    {
        if (s.TtftMs < 0)
        {
            error($"{at}.ttft_ms", "must not be negative");
        }
        if (s.ItlMs < 0)
        {
            error($"{at}.itl_ms", "must not be negative");
        }
        if (s.MaxNumSeqs < 1)
        {
            error($"{at}.max_num_seqs", "must be at least 1");
        }
        if (s.FailureRate is < 0 or > 1)
        {
            error($"{at}.failure_rate", "must be between 0 and 1");
        }
    }

    private static void ValidateRouting(LlmHostConfig config, Action<string, string> error)
    {
        CheckDuration("routing.discovery_interval", config.Routing.DiscoveryInterval, TimeSpan.FromMilliseconds(100), error);
        CheckDuration("routing.health_check_interval", config.Routing.HealthCheckInterval, TimeSpan.FromMilliseconds(100), error);
        CheckDuration("routing.ejection_time", config.Routing.EjectionTime, TimeSpan.FromMilliseconds(500), error);
        foreach (var (model, backendNames) in config.Routing.ModelBackendMapping)
        {
            var at = $"routing.model_backend_mapping['{model}']";
            if (backendNames is null || backendNames.Count == 0)
            {
                error(at, "must name at least one backend");
                continue;
            }
            foreach (var name in backendNames)
            {
                if (config.FindBackend(name) is null)
                {
                    error(at, $"backend '{name}' is not defined in backends");
                }
            }
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

    [GeneratedRegex("^(all|[0-9]+|[0-9]+(,[0-9]+)+|device=[0-9,]+)$")]
    private static partial Regex GpuSpec();
}
