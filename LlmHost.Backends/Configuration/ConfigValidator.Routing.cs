namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateRouting(LlmHostConfig config, Action<string, string> error)
    {
        CheckDuration("routing.discovery_interval", config.Routing.DiscoveryInterval, TimeSpan.FromMilliseconds(100), error);
        CheckDuration("routing.health_check_interval", config.Routing.HealthCheckInterval, TimeSpan.FromMilliseconds(100), error);
        CheckDuration("routing.ejection_time", config.Routing.EjectionTime, TimeSpan.FromMilliseconds(500), error);
        CheckPolicy("routing.policy", config.Routing.Policy, error);
        var prefix = config.Routing.Prefix;
        CheckRange("routing.prefix.chunk_bytes", prefix.ChunkBytes, 16, 65_536, error);
        CheckRange("routing.prefix.max_chunks", prefix.MaxChunks, 1, 65_536, error);
        CheckRange("routing.prefix.index_chunks", prefix.IndexChunks, 16, 16_777_216, error);
        if (prefix.IndexChunks < 4L * prefix.MaxChunks)
        {
            error("routing.prefix.index_chunks", $"{prefix.IndexChunks} holds fewer than four prompts of max_chunks ({prefix.MaxChunks}): set it to at least {4L * prefix.MaxChunks}");
        }
        CheckRange("routing.prefix.balance_abs_threshold", prefix.BalanceAbsThreshold, 0, 1_000_000, error);
        if (!(prefix.BalanceRelThreshold >= 1 && prefix.BalanceRelThreshold <= 1000))
        {
            error("routing.prefix.balance_rel_threshold", $"{prefix.BalanceRelThreshold} is out of range (1 to 1000)");
        }
        CheckDuration("routing.load.scrape_interval", config.Routing.Load.ScrapeInterval, TimeSpan.FromMilliseconds(100), error);
        if (config.Routing.Load.ScrapeInterval > TimeSpan.FromSeconds(3))
        {
            // A read older than 10 s is not trusted: a longer interval would leave engine load unused.
            error("routing.load.scrape_interval", $"'{Duration.Format(config.Routing.Load.ScrapeInterval)}' is longer than the maximum 3s");
        }
        foreach (var (model, policy) in config.Routing.Policies)
        {
            CheckPolicy($"routing.policies['{model}']", policy, error);
        }
        var sessions = config.Routing.SessionAffinity;
        if (sessions.Header is { } header && (header.Length is 0 or > 64 || !header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            error("routing.session_affinity.header", "must be a header name of letters, digits, '-' and '_' (at most 64)");
        }
        CheckRange("routing.session_affinity.max_sessions", sessions.MaxSessions, 16, 10_000_000, error);
        CheckDuration("routing.session_affinity.idle_expiry", sessions.IdleExpiry, TimeSpan.FromSeconds(1), error);
        CheckRange("routing.stored_responses.max_responses_per_key", config.Routing.StoredResponses.MaxResponsesPerKey, 16, 1_000_000, error);
        CheckDuration("routing.stored_responses.expiry", config.Routing.StoredResponses.Expiry, TimeSpan.FromSeconds(1), error);
        var flow = config.Routing.FlowControl;
        CheckRange("routing.flow_control.queue_depth_threshold", flow.QueueDepthThreshold, 1, 100_000, error);
        if (!(flow.KvCacheThreshold > 0 && flow.KvCacheThreshold <= 1))
        {
            error("routing.flow_control.kv_cache_threshold", $"{flow.KvCacheThreshold} is out of range (above 0, at most 1)");
        }
        CheckRange("routing.flow_control.max_in_flight_per_instance", flow.MaxInFlightPerInstance, 0, 1_000_000, error);
        CheckRange("routing.flow_control.max_prefill_tokens_per_instance", flow.MaxPrefillTokensPerInstance, 0, 100_000_000, error);
        CheckRange("routing.flow_control.headroom", flow.Headroom, 0, 1_000_000, error);
        CheckRange("routing.flow_control.max_queued", flow.MaxQueued, 1, 1_000_000, error);
        CheckRange("routing.flow_control.max_queued_per_key", flow.MaxQueuedPerKey, 1, 1_000_000, error);
        CheckDuration("routing.flow_control.queue_timeout", flow.QueueTimeout, TimeSpan.FromMilliseconds(10), error);
        if (flow.QueueTimeout > TimeSpan.FromHours(1))
        {
            error("routing.flow_control.queue_timeout", $"'{Duration.Format(flow.QueueTimeout)}' is longer than the maximum 1h");
        }
        CheckDuration("routing.flow_control.starvation_after", flow.StarvationAfter, TimeSpan.FromMilliseconds(10), error);
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

    private static void CheckPolicy(string at, string? policy, Action<string, string> error)
    {
        if (RoutingPolicies.Parse(policy) is null)
        {
            error(at, $"'{policy}' is not one of {string.Join(", ", RoutingPolicies.Names)}");
        }
    }
}
