using System.Diagnostics;

namespace LlmHost.Simulator.Engine;

/// <summary>Imitates model loading: the server is "starting" until <c>--startup-delay-ms</c> has passed.</summary>
public sealed class StartupGate(SimulatorOptions options)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public bool IsReady => Stopwatch.GetElapsedTime(_started).TotalMilliseconds >= options.StartupDelayMs;
}
