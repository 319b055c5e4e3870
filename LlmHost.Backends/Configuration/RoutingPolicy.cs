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
}

public static class RoutingPolicies
{
    public static readonly string[] Names = ["least_outstanding", "round_robin", "random"];

    public static RoutingPolicy? Parse(string? value) => value switch
    {
        "least_outstanding" => RoutingPolicy.LeastOutstanding,
        "round_robin" => RoutingPolicy.RoundRobin,
        "random" => RoutingPolicy.Random,
        _ => null,
    };
}
