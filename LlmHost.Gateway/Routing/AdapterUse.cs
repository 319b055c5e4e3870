using System.Diagnostics;

namespace LlmHost.Gateway.Routing;

/// <summary>How one adapter is used on one instance: requests in flight and the last use, for LRU eviction.</summary>
public sealed class AdapterUse
{
    private int _inFlight;
    private long _lastUsed;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary><see cref="Stopwatch"/> timestamp of the last request (or load); 0 when never used.</summary>
    public long LastUsed => Interlocked.Read(ref _lastUsed);

    public void Begin()
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
    }

    public void End() => Interlocked.Decrement(ref _inFlight);

    public void Touch() => Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
}
