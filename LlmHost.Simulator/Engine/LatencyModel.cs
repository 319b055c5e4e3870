namespace LlmHost.Simulator.Engine;

/// <summary>Time to first token (fixed part plus prefill per prompt token) and inter-token latency, with jitter.</summary>
public sealed class LatencyModel(SimulatorOptions options)
{
    public bool IsZero => options.TtftMs <= 0 && options.ItlMs <= 0 && options.PrefillUsPerToken <= 0;

    public TimeSpan TimeToFirstToken(int promptTokens, Random random) =>
        TimeSpan.FromMilliseconds(Jittered(options.TtftMs, random) + promptTokens * options.PrefillUsPerToken / 1000.0);

    public TimeSpan InterTokenLatency(Random random) => TimeSpan.FromMilliseconds(Jittered(options.ItlMs, random));

    private double Jittered(double mean, Random random)
    {
        if (mean <= 0 || options.Jitter <= 0)
        {
            return Math.Max(0, mean);
        }
        // Box-Muller normal sample, clamped to ±70 % of the mean as llm-d's simulator does.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        var sample = mean * (1 + options.Jitter * normal);
        return Math.Clamp(sample, mean * 0.3, mean * 1.7);
    }
}
