namespace LlmHost.Workload.Reporting;

/// <summary>Percentiles by linear interpolation between the closest ranks of sorted values.</summary>
public static class Percentiles
{
    public static double Of(IReadOnlyList<double> sorted, double quantile)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }
        var position = quantile * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    public static Distribution Summarize(List<double> values, double scale)
    {
        values.Sort();
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }
        return new Distribution(
            values.Count,
            values.Count == 0 ? 0 : sum / values.Count * scale,
            Of(values, 0.5) * scale,
            Of(values, 0.9) * scale,
            Of(values, 0.99) * scale);
    }
}

/// <summary>A latency distribution in milliseconds of simulated time.</summary>
public sealed record Distribution(int Count, double Mean, double P50, double P90, double P99);
