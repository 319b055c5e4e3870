namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// Tests that run alone, after the parallel ones:
/// - tests that read a gateway's <c>/metrics</c>: every test gateway lives in the same process, and each gateway's
///   OpenTelemetry meter provider listens to every meter named <c>LlmHost.Gateway</c>, so another gateway's requests
///   show up in its series, and when another gateway is disposed, the instruments its meter shared with this one
///   end and observable gauges vanish from this gateway's export (one gateway per process, as in production, has
///   neither problem);
/// - the limit accuracy tests, which need their clients to keep the gateway busy for the whole run: with the rest of
///   the suite sharing two cores, a stalled second lets a token bucket overflow its burst and the count fall short.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
