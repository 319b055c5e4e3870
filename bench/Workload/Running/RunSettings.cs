using LlmHost.Workload.Definition;

namespace LlmHost.Workload.Running;

/// <summary>How one run replays a workload: where to, with which keys, how much faster, and what to read afterwards.</summary>
public sealed class RunSettings
{
    public required Uri Target { get; init; }
    public required WorkloadFile Workload { get; init; }

    /// <summary>API keys: tenant i uses key i modulo the count (one per tenant gives each its own).</summary>
    public required IReadOnlyList<string> Keys { get; init; }

    /// <summary>A label for the run in reports (the routing policy, for example).</summary>
    public string Label { get; init; } = "run";

    /// <summary>The simulator's <c>--time-scale</c>: arrivals and think times run this much faster, and every reported
    /// time and rate is converted back to simulated time.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Multiplies every group's rate (or number of users), to sweep load with one file.</summary>
    public double RateScale { get; init; } = 1;

    /// <summary>Overrides the workload's duration (simulated time).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>How long (wall clock) requests still running at the end may finish before they are cut.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Engine <c>/metrics</c> URLs read before and after the run.</summary>
    public IReadOnlyList<Uri> EngineMetrics { get; init; } = [];

    /// <summary>When set, tenant i is sent straight to engine i modulo the count (the oracle placement), not to
    /// <see cref="Target"/>.</summary>
    public IReadOnlyList<Uri> Direct { get; init; } = [];

    public TimeSpan SimulatedDuration => Duration ?? Workload.Duration;

    public TimeSpan WallDuration => SimulatedDuration / TimeScale;
}
