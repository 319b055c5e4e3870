using System.Diagnostics;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// A token bucket of log lines: the lines of requests nobody authenticated (a scan, a flood of bad keys) may fill
/// the disk at <see cref="LinesPerSecond"/> at most, after a burst of <see cref="Burst"/>; the rest are counted, not
/// written. Keyed requests are never limited here: their keys' own limits bound them.
/// </summary>
public sealed class LineRateLimiter
{
    public const int LinesPerSecond = 200;
    public const int Burst = 1000;

    private readonly Lock _lock = new();
    private readonly Func<long> _now;
    private double _tokens = Burst;
    private long _last;

    public LineRateLimiter() : this(Stopwatch.GetTimestamp)
    {
    }

    /// <summary>With a clock in <see cref="Stopwatch"/> ticks, for tests.</summary>
    public LineRateLimiter(Func<long> now)
    {
        _now = now;
        _last = now();
    }

    public bool TryTake()
    {
        lock (_lock)
        {
            var now = _now();
            _tokens = Math.Min(Burst, _tokens + (now - _last) * (double)LinesPerSecond / Stopwatch.Frequency);
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }
            _tokens--;
            return true;
        }
    }
}
