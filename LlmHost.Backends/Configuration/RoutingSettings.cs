namespace LlmHost.Backends.Configuration;

public sealed class RoutingSettings
{
    /// <summary>How often each backend's <c>/v1/models</c> is polled, e.g. <c>10s</c>.</summary>
    public TimeSpan DiscoveryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each backend's health path (vLLM and SGLang: <c>/health</c>) is probed.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a backend is ejected after repeated failures (doubles on each repeat, up to 60 s).</summary>
    public TimeSpan EjectionTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How a model's instance is picked: <c>least_outstanding</c> (default), <c>round_robin</c>, <c>random</c>,
    /// <c>load_aware</c> or <c>prefix_aware</c>.</summary>
    public string Policy { get; set; } = "least_outstanding";

    public PrefixRoutingSettings Prefix { get; set; } = new();

    public LoadRoutingSettings Load { get; set; } = new();

    public SessionAffinitySettings SessionAffinity { get; set; } = new();

    public FlowControlSettings FlowControl { get; set; } = new();

    public StoredResponsesSettings StoredResponses { get; set; } = new();

    /// <summary>Per model name, a policy that overrides <see cref="Policy"/>.</summary>
    public Dictionary<string, string> Policies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The policy for requests naming <paramref name="model"/> (an adapter without its own: its base model's).</summary>
    public RoutingPolicy PolicyFor(string model, string? parent = null)
    {
        var name = Policy;
        if (Policies.Count > 0 && (Policies.TryGetValue(model, out var own) || (parent is not null && Policies.TryGetValue(parent, out own))))
        {
            name = own;
        }
        return RoutingPolicies.Parse(name) ?? RoutingPolicy.LeastOutstanding;
    }

    /// <summary>Manual routes: model name → backend names. Wins over discovery.</summary>
    public Dictionary<string, List<string>> ModelBackendMapping { get; set; } = new(StringComparer.Ordinal);
}
