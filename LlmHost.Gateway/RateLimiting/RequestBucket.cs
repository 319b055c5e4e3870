using System.Diagnostics;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Requests per second: a token bucket of <c>burst</c> requests refilled at <c>qps</c>, lazily from the elapsed time
/// (an idle key costs no timer). A request that finds no whole token is refused with the time until there is one.
/// </summary>
public sealed class RequestBucket
{
    private readonly Lock _lock = new();
    private readonly double _perTick;
    private double _tokens;
    private long _updated;

    public RequestBucket(int burst, double qps, long now)
    {
        Burst = burst;
        Qps = qps;
        _tokens = burst;
        _updated = now;
        _perTick = qps / Stopwatch.Frequency;
    }

    public int Burst { get; }
    public double Qps { get; }

    /// <summary>Takes one request's token; otherwise says how long until one is there.</summary>
    public bool TryTake(long now, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            Refill(now);
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / Qps);
            return false;
        }
    }

    /// <summary>Whole tokens left now.</summary>
    public long Available(long now)
    {
        lock (_lock)
        {
            Refill(now);
            return (long)Math.Floor(_tokens);
        }
    }

    private void Refill(long now)
    {
        if (now > _updated)
        {
            _tokens = Math.Min(Burst, _tokens + (now - _updated) * _perTick);
            _updated = now;
        }
    }
}
