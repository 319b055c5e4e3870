using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Picks one of a route's instances by its <see cref="RoutingPolicy"/>. The default, least outstanding requests with
/// the power of two choices, samples two available candidates at random and takes the one with fewer requests in
/// flight: cheap, lock-free, and it avoids herding onto a single "least loaded" server.
/// </summary>
public static partial class BackendSelector
{
    /// <summary>
    /// The index of the chosen instance of <paramref name="route"/>, or -1 when none is available.
    /// <paramref name="excluded"/> is an instance already tried for this request (-1 for none).
    /// </summary>
    public static int Pick(RouteEntry route, RoutingPolicy policy, int excluded = -1) => policy switch
    {
        RoutingPolicy.RoundRobin => PickInTurn(route.Instances, route.Turns.Next(), excluded),
        RoutingPolicy.Random => PickInTurn(route.Instances, Random.Shared.Next(), excluded),
        RoutingPolicy.LoadAware or RoutingPolicy.PrefixAware => PickLeastLoaded(route.Instances, excluded),
        _ => Pick(route.Instances, excluded),
    };

    /// <summary>Least outstanding of two random available candidates; -1 when none is available.</summary>
    public static int Pick(BackendInstance[] candidates, int excluded = -1)
    {
        var available = CountAvailable(candidates, excluded);
        if (available == 0)
        {
            return -1;
        }
        if (available == 1)
        {
            return NthAvailable(candidates, 0, excluded);
        }
        var first = Random.Shared.Next(available);
        var second = Random.Shared.Next(available - 1);
        if (second >= first)
        {
            second++;
        }
        var a = NthAvailable(candidates, first, excluded);
        var b = NthAvailable(candidates, second, excluded);
        return candidates[b].Outstanding < candidates[a].Outstanding ? b : a;
    }

    // The turn-th available candidate, counting around: round robin with a shared counter, random with a random turn.
    private static int PickInTurn(BackendInstance[] candidates, int turn, int excluded)
    {
        var available = CountAvailable(candidates, excluded);
        return available == 0 ? -1 : NthAvailable(candidates, turn % available, excluded);
    }

    private static int CountAvailable(BackendInstance[] candidates, int excluded)
    {
        var available = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (i != excluded && candidates[i].Available)
            {
                available++;
            }
        }
        return available;
    }

    private static int NthAvailable(BackendInstance[] candidates, int n, int excluded)
    {
        for (var i = 0; i < candidates.Length; i++)
        {
            if (i != excluded && candidates[i].Available && n-- == 0)
            {
                return i;
            }
        }
        throw new InvalidOperationException("fewer available candidates than counted");
    }
}
