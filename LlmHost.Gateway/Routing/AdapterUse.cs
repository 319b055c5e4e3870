using System.Diagnostics;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// How one adapter is used on one instance: requests in flight and the last use (for LRU eviction), and whether it
/// is being unloaded there — then no new request may start on it. One state word, so that "no request in flight"
/// and "being unloaded" are decided together.
/// </summary>
public sealed class AdapterUse
{
    private const int Evicting = -1;

    // >= 0: requests in flight; Evicting: being unloaded.
    private int _state;
    private long _lastUsed;

    public int InFlight => Math.Max(0, Volatile.Read(ref _state));

    public bool IsEvicting => Volatile.Read(ref _state) == Evicting;

    /// <summary><see cref="Stopwatch"/> timestamp of the last request (or load); 0 when never used.</summary>
    public long LastUsed => Interlocked.Read(ref _lastUsed);

    /// <summary>Starts a request on the adapter; false when it is being unloaded from this instance.</summary>
    public bool TryBegin()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Evicting)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                Touch();
                return true;
            }
        }
    }

    public void End() => Interlocked.Decrement(ref _state);

    /// <summary>Marks the adapter as being unloaded, if no request is in flight on it.</summary>
    public bool TryStartEviction() => Interlocked.CompareExchange(ref _state, Evicting, 0) == 0;

    /// <summary>The unload is over (done or failed): requests may start again once the adapter is loaded.</summary>
    public void EvictionEnded() => Interlocked.CompareExchange(ref _state, 0, Evicting);

    public void Touch() => Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
}
