using System.Diagnostics;
using System.Globalization;
using LlmHost.Workload.Reporting;

namespace LlmHost.Workload.Running;

public sealed record ProgressSnapshot(int Sent, int Done, int Errors, int InFlight, List<double> RecentTtftMs);

/// <summary>
/// The live progress line: elapsed simulated time, requests sent, done, failed, in flight, and the TTFT median of the
/// last second. Rewritten in place on a terminal, one line every five seconds otherwise.
/// </summary>
public sealed class ProgressLine(TextWriter output, RunSettings settings, Stopwatch clock, Func<int, ProgressSnapshot> snapshot)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var inPlace = ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        var period = TimeSpan.FromSeconds(inPlace ? 1 : 5);
        var seen = 0;
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = snapshot(seen);
                seen = now.Done;
                await output.WriteAsync(Line(now) + (inPlace ? "\r" : Environment.NewLine));
            }
        }
        catch (OperationCanceledException)
        {
        }
        var last = snapshot(seen);
        await output.WriteLineAsync(Line(last));
    }

    private string Line(ProgressSnapshot now)
    {
        now.RecentTtftMs.Sort();
        var ttft = now.RecentTtftMs.Count == 0 ? "-" : (Percentiles.Of(now.RecentTtftMs, 0.5) * settings.TimeScale).ToString("F0", CultureInfo.InvariantCulture) + " ms";
        var elapsed = Math.Min(clock.Elapsed.TotalSeconds, settings.WallDuration.TotalSeconds) * settings.TimeScale;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{settings.Label}] {elapsed,6:F0}/{settings.SimulatedDuration.TotalSeconds:F0} s  sent {now.Sent}  done {now.Done}  errors {now.Errors}  in flight {now.InFlight}  TTFT p50 {ttft}   ");
    }
}
