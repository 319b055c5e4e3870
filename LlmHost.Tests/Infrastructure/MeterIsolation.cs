namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// Tests that read a gateway's <c>/metrics</c> run alone. Every test gateway lives in the same process, and each
/// gateway's OpenTelemetry meter provider listens to every meter named <c>LlmHost.Gateway</c>: another gateway's
/// requests show up in its series, and when another gateway is disposed, the instruments its meter shared with
/// this one end, so observable gauges vanish from this gateway's export. One gateway per process, as in
/// production, has neither problem.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterIsolation
{
    public const string Name = "Meter isolation";
}
