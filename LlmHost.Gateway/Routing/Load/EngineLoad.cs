using System.Globalization;
using LlmHost.Backends.Engines;

namespace LlmHost.Gateway.Routing.Load;

/// <summary>
/// An engine's own view of its load, from its <c>/metrics</c>: requests running and waiting (summed over the models it
/// serves) and KV-cache usage (0–1), read at <see cref="ReadAt"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp),
/// when the gateway had <see cref="InFlightAtRead"/> requests in flight there (flow control counts those sent since).
/// </summary>
public sealed record EngineLoad(double Running, double Waiting, double KvCacheUsage, long ReadAt, int InFlightAtRead = 0)
{
    // vLLM renamed its KV-cache gauge (PR #18354); engines of either age are read.
    private const string OldVllmKvCacheUsage = "vllm:gpu_cache_usage_perc";

    /// <summary>Reads the gauges of <paramref name="profile"/>'s engine from Prometheus text, line by line.</summary>
    public sealed class Reader(EngineProfile profile)
    {
        private double _running, _waiting, _kv = -1;

        public void Line(ReadOnlySpan<char> line)
        {
            if (line.IsEmpty || line[0] == '#')
            {
                return;
            }
            var nameEnd = line.IndexOfAny('{', ' ');
            var valueStart = line.LastIndexOf(' ');
            if (nameEnd <= 0 || valueStart < nameEnd
                || !double.TryParse(line[(valueStart + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                return;
            }
            var name = line[..nameEnd];
            if (name.SequenceEqual(profile.RunningRequestsMetric))
            {
                _running += value;
            }
            else if (name.SequenceEqual(profile.WaitingRequestsMetric))
            {
                _waiting += value;
            }
            else if (name.SequenceEqual(profile.KvCacheUsageMetric) || name.SequenceEqual(OldVllmKvCacheUsage))
            {
                _kv = Math.Max(_kv, value);
            }
        }

        public EngineLoad Result(long readAt, int inFlight = 0) => new(_running, _waiting, Math.Max(0, _kv), readAt, inFlight);
    }
}
