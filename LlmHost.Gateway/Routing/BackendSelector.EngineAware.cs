using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Routing;

/// <summary>The engine-aware picks: least load, prefix affinity, adapter affinity, session pins.</summary>
public static partial class BackendSelector
{
    /// <summary>An engine load read longer ago than this is not trusted (the scraper stopped, or the engine hangs).</summary>
    public static readonly TimeSpan LoadFreshFor = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An instance's load: the gateway's requests in flight there plus the engine's own waiting queue when its last
    /// read is fresh (other gateways' requests and the engine's backlog show there).
    /// </summary>
    public static double LoadOf(BackendInstance instance) =>
        instance.Load is { } load && System.Diagnostics.Stopwatch.GetElapsedTime(load.ReadAt) < LoadFreshFor
            ? instance.Outstanding + load.Waiting
            : instance.Outstanding;

    /// <summary>
    /// Adapter affinity (<c>load_aware</c> and <c>prefix_aware</c> for a LoRA adapter): an instance where the adapter has
    /// requests in flight (it is in the engine's batches) first, then one with a free adapter slot (fewer adapters in
    /// flight than <c>lora.max_loaded</c>), then the rest, the least loaded within a class — unless the chosen one is
    /// busier than the least loaded instance with the adapter or a free slot by more than both thresholds (then that
    /// one, so a popular adapter spreads). -1 when none is available.
    /// </summary>
    public static int PickForAdapter(BackendInstance[] candidates, string adapter, PrefixRoutingSettings settings, int excluded = -1)
    {
        int best = -1, bestClass = -1, spare = -1;
        double bestLoad = 0, spareLoad = 0;
        var start = RandomStart(candidates);
        for (var k = 0; k < candidates.Length; k++)
        {
            var i = (start + k) % candidates.Length;
            var instance = candidates[i];
            if (!Usable(candidates, i, excluded))
            {
                continue;
            }
            var load = LoadOf(instance);
            var adapterClass = instance.HeldAdapters.InFlight(adapter) > 0 ? 2
                : instance.HeldAdapters.ActiveCount < instance.Backend.Lora.MaxLoaded ? 1
                : 0;
            if (adapterClass > bestClass || (adapterClass == bestClass && load < bestLoad))
            {
                (best, bestClass, bestLoad) = (i, adapterClass, load);
            }
            if (adapterClass > 0 && (spare < 0 || load < spareLoad))
            {
                (spare, spareLoad) = (i, load);
            }
        }
        if (best < 0 || spare < 0 || spare == best)
        {
            return best;
        }
        return MuchBusier(bestLoad, spareLoad, settings) ? spare : best;
    }

    /// <summary>
    /// Session affinity: the index of the instance named <paramref name="pinned"/> when it is available and not busier
    /// than the least loaded instance by more than both balance thresholds; -1 otherwise (the policy picks then).
    /// </summary>
    public static int PickPinned(BackendInstance[] candidates, string? pinned, PrefixRoutingSettings settings, int excluded = -1)
    {
        if (pinned is null)
        {
            return -1;
        }
        int found = -1;
        double least = double.MaxValue;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (!Usable(candidates, i, excluded))
            {
                continue;
            }
            least = Math.Min(least, LoadOf(candidates[i]));
            if (string.Equals(candidates[i].Name, pinned, StringComparison.Ordinal))
            {
                found = i;
            }
        }
        if (found < 0)
        {
            return -1;
        }
        return MuchBusier(LoadOf(candidates[found]), least, settings) ? -1 : found;
    }

    /// <summary>The available instance with the least load (ties: the first from a random start); -1 when none.</summary>
    public static int PickLeastLoaded(BackendInstance[] candidates, int excluded = -1)
    {
        var best = -1;
        var bestLoad = double.MaxValue;
        var start = RandomStart(candidates);
        for (var k = 0; k < candidates.Length; k++)
        {
            var i = (start + k) % candidates.Length;
            if (!Usable(candidates, i, excluded))
            {
                continue;
            }
            var load = LoadOf(candidates[i]);
            if (load < bestLoad)
            {
                (best, bestLoad) = (i, load);
            }
        }
        return best;
    }

    /// <summary>
    /// <c>prefix_aware</c>: the available instance whose index holds the longest run of the prompt's chunks (ties: the
    /// less loaded), unless it is busier than the least loaded instance by more than both thresholds — then that one.
    /// A prompt nobody holds goes to the least loaded instance (of equally loaded ones, the one holding fewer prompts).
    /// -1 when none is available.
    /// </summary>
    public static int PickByPrefix(BackendInstance[] candidates, ReadOnlySpan<ulong> chunks, PrefixRoutingSettings settings, int excluded = -1)
    {
        int best = -1, least = -1, bestMatch = -1, leastHeld = 0;
        double bestLoad = 0, leastLoad = 0;
        var start = RandomStart(candidates);
        for (var k = 0; k < candidates.Length; k++)
        {
            var i = (start + k) % candidates.Length;
            if (!Usable(candidates, i, excluded))
            {
                continue;
            }
            var load = LoadOf(candidates[i]);
            // Equally loaded: the one holding fewer prompts takes the new one (spreads tenants over the caches).
            var held = candidates[i].Prefixes.Count;
            if (least < 0 || load < leastLoad || (load == leastLoad && held < leastHeld))
            {
                (least, leastLoad, leastHeld) = (i, load, held);
            }
            var match = chunks.IsEmpty ? 0 : candidates[i].Prefixes.MatchLength(chunks);
            if (match > bestMatch || (match == bestMatch && load < bestLoad))
            {
                (best, bestMatch, bestLoad) = (i, match, load);
            }
        }
        if (best < 0 || bestMatch == 0)
        {
            return least;
        }
        return MuchBusier(bestLoad, leastLoad, settings) ? least : best;
    }

    /// <summary>Affinity yields when the preferred instance's load is above the least loaded one's by more than both thresholds.</summary>
    private static bool MuchBusier(double load, double least, PrefixRoutingSettings settings) =>
        load - least > settings.BalanceAbsThreshold && load > least * settings.BalanceRelThreshold;

    // Scans start at a random instance, so that ties do not always go to the first one.
    private static int RandomStart(BackendInstance[] candidates) => candidates.Length == 0 ? 0 : Random.Shared.Next(candidates.Length);

    private static bool Usable(BackendInstance[] candidates, int i, int excluded) => i != excluded && candidates[i].Available;
}
