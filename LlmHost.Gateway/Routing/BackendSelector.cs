namespace LlmHost.Gateway.Routing;

/// <summary>
/// Least outstanding requests with the power of two choices: sample two healthy candidates at random and take the
/// one with fewer requests in flight. Cheap, lock-free, and avoids herding onto a single "least loaded" server.
/// </summary>
public static class BackendSelector
{
    public static BackendInstance? Pick(BackendInstance[] candidates)
    {
        var healthy = 0;
        foreach (var candidate in candidates)
        {
            if (candidate.Healthy)
            {
                healthy++;
            }
        }
        if (healthy == 0)
        {
            return null;
        }
        if (healthy == 1)
        {
            return NthHealthy(candidates, 0);
        }
        var first = Random.Shared.Next(healthy);
        var second = Random.Shared.Next(healthy - 1);
        if (second >= first)
        {
            second++;
        }
        var a = NthHealthy(candidates, first);
        var b = NthHealthy(candidates, second);
        return b.Outstanding < a.Outstanding ? b : a;
    }

    private static BackendInstance NthHealthy(BackendInstance[] candidates, int n)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.Healthy && n-- == 0)
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("fewer healthy candidates than counted");
    }
}
