namespace LlmHost.Backends.Configuration;

/// <summary>
/// The ranges a limit may take, in config.yaml (<c>limits.defaults</c>) and in the key file alike: outside them a
/// limiter cannot be built (a QPS of 1e-13 makes a refill period no TimeSpan can hold) or the number is a typo.
/// </summary>
public static class LimitRanges
{
    public const double MinQps = 0.001;
    public const double MaxQps = 1_000_000;
    public const int MaxBurst = 1_000_000;
    public const int MaxConcurrency = 1_000_000;
    public const long MaxTpm = 1_000_000_000_000;
    public const int MaxContextTokens = 100_000_000;

    /// <summary>Each field out of range, with why; nulls are not set (the default applies).</summary>
    public static IEnumerable<(string Field, string Problem)> Check(double? qps, int? burst, int? concurrency, long? tpm)
    {
        if (qps is { } q && (double.IsNaN(q) || q < 0 || (q > 0 && q < MinQps) || q > MaxQps))
        {
            yield return ("qps", $"{q} is out of range (0 for unlimited, or {MinQps} to {MaxQps})");
        }
        if (burst is < 0 or > MaxBurst)
        {
            yield return ("burst", $"{burst} is out of range (0 to {MaxBurst})");
        }
        if (concurrency is < 0 or > MaxConcurrency)
        {
            yield return ("concurrency", $"{concurrency} is out of range (0 to {MaxConcurrency}; 0 means unlimited)");
        }
        if (tpm is < 0 or > MaxTpm)
        {
            yield return ("tpm", $"{tpm} is out of range (0 to {MaxTpm}; 0 means unlimited)");
        }
    }
}
