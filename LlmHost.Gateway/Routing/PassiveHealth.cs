using System.Diagnostics;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Passive health of one backend instance: after <see cref="FailureThreshold"/> consecutive failed requests it is
/// ejected for the ejection time, doubled on each repeat up to a minute; a success resets it. After the ejection
/// ends, the next request is the trial: one more failure ejects again at once.
/// </summary>
/// <remarks>
/// Written out rather than taken from Polly's circuit breaker: wrapping every forwarded request in a resilience
/// pipeline added async layers, a lock and allocations that made the gateway measurably slower (see
/// docs/BENCHMARKS.md), while all that is needed here is a counter and a deadline, updated lock-free.
/// </remarks>
public sealed class PassiveHealth(TimeSpan ejectionTime)
{
    public const int FailureThreshold = 3;
    private static readonly long MaxEjectionTicks = Stopwatch.Frequency * 60;
    private readonly long _baseEjectionTicks = (long)(ejectionTime.TotalSeconds * Stopwatch.Frequency);
    private int _consecutiveFailures;
    private int _ejections;
    private long _ejectedUntil;

    // Never ejected (the usual case): no clock read, on every routing decision.
    public bool IsEjected => Volatile.Read(ref _ejectedUntil) is var until && until != 0 && Stopwatch.GetTimestamp() < until;

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public void RecordSuccess()
    {
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
            Volatile.Write(ref _ejections, 0);
        }
    }

    /// <summary>Counts a failure; true when this failure ejected the instance.</summary>
    public bool RecordFailure()
    {
        var failures = Interlocked.Increment(ref _consecutiveFailures);
        if (failures < FailureThreshold || IsEjected)
        {
            return false;
        }
        var repeat = Math.Min(Interlocked.Increment(ref _ejections) - 1, 10);
        var duration = Math.Min(MaxEjectionTicks, _baseEjectionTicks << repeat);
        Volatile.Write(ref _ejectedUntil, Stopwatch.GetTimestamp() + duration);
        // Stay at the threshold: the first failure after the ejection ends ejects again.
        Volatile.Write(ref _consecutiveFailures, FailureThreshold - 1);
        return true;
    }
}
