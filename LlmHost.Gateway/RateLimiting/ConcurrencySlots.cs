namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// A concurrency limit without a queue: a request takes a slot or is refused at once, and gives it back when it ends.
/// A counter rather than <see cref="System.Threading.RateLimiting.ConcurrencyLimiter"/>, whose lease and statistics
/// are objects allocated on every request.
/// </summary>
public sealed class ConcurrencySlots(int limit)
{
    private int _taken;

    public int Limit { get; } = limit;

    /// <summary>Slots taken now.</summary>
    public int Taken => Volatile.Read(ref _taken);

    public int Available => Math.Max(0, Limit - Taken);

    public bool TryTake()
    {
        var taken = Volatile.Read(ref _taken);
        while (taken < Limit)
        {
            var seen = Interlocked.CompareExchange(ref _taken, taken + 1, taken);
            if (seen == taken)
            {
                return true;
            }
            taken = seen;
        }
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _taken);
}
