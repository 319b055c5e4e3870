namespace LlmHost.Backends.Configuration;

/// <summary>How the gateway picks one of a model's instances (<c>routing.policy</c>, per model in <c>routing.policies</c>).</summary>
public enum RoutingPolicy
{
    /// <summary>Two random available instances, the one with fewer requests in flight (the default).</summary>
    LeastOutstanding,

    /// <summary>Available instances in turn.</summary>
    RoundRobin,

    /// <summary>Any available instance, uniformly.</summary>
    Random,

    /// <summary>The instance with the least load: requests in flight from this gateway plus the engine's own waiting queue.</summary>
    LoadAware,

    /// <summary>The instance most likely to hold the prompt's prefix in its cache, unless it is much busier than the
    /// least loaded one.</summary>
    PrefixAware,
}

public static class RoutingPolicies
{
    public static readonly string[] Names = ["least_outstanding", "round_robin", "random", "load_aware", "prefix_aware"];

    public static RoutingPolicy? Parse(string? value) => value switch
    {
        "least_outstanding" => RoutingPolicy.LeastOutstanding,
        "round_robin" => RoutingPolicy.RoundRobin,
        "random" => RoutingPolicy.Random,
        "load_aware" => RoutingPolicy.LoadAware,
        "prefix_aware" => RoutingPolicy.PrefixAware,
        _ => null,
    };
}
