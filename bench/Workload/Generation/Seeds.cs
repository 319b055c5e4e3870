namespace LlmHost.Workload.Generation;

/// <summary>
/// Stable seeds from several numbers (<see cref="HashCode"/> is randomized per process, so it cannot make a workload
/// repeatable): SplitMix64 steps over the parts.
/// </summary>
public static class Seeds
{
    public static int Of(params ReadOnlySpan<int> parts)
    {
        var state = 0x9E3779B97F4A7C15UL;
        foreach (var part in parts)
        {
            state += (ulong)(uint)part + 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            state = z ^ (z >> 31);
        }
        return (int)(state & int.MaxValue);
    }
}
