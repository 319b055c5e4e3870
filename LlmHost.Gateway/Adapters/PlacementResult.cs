using LlmHost.Backends.Engines;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Adapters;

/// <summary>The instances a request for an adapter may go to, or why it cannot go anywhere.</summary>
public sealed record PlacementResult(RouteEntry? Route, PlacementFailure Failure, string? Instance = null, LoraCallResult Load = default)
{
    public static PlacementResult NoInstance { get; } = new(null, PlacementFailure.NoInstance);

    public static PlacementResult To(RouteEntry route) => new(route, PlacementFailure.None);

    public static PlacementResult TimedOut(string instance) => new(null, PlacementFailure.LoadTimedOut, instance);

    public static PlacementResult Failed(string instance, LoraCallResult load) => new(null, PlacementFailure.LoadFailed, instance, load);
}
