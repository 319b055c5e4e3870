namespace LlmHost.Gateway.Routing;

/// <summary>
/// Least outstanding requests with the power of two choices: sample two available candidates at random and take the
/// one with fewer requests in flight. Cheap, lock-free, and avoids herding onto a single "least loaded" server.
/// </summary>
public static class BackendSelector
{
    /// <summary>
    /// The index of the chosen candidate, or -1 when none is available. <paramref name="excluded"/> is a candidate
    /// already tried for this request (-1 for none).
    /// </summary>
    public static int Pick(BackendInstance[] candidates, int excluded = -1)
    {
        var available = 0;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (i != excluded && candidates[i].Available)
            {
                available++;
            }
        }
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
