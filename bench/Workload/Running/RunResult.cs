namespace LlmHost.Workload.Running;

/// <summary>Every request of a run, the wall time it took until the last answer, and the engines' counter deltas.</summary>
public sealed record RunResult(RunSettings Settings, IReadOnlyList<RequestRecord> Records, double WallMs, EngineCounters? Engines);
