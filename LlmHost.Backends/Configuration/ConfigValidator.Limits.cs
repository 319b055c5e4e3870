namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateLimits(LimitsSettings limits, Action<string, string> error)
    {
        if (limits.Store is not ("memory" or "redis"))
        {
            error("limits.store", $"'{limits.Store}' is not one of memory, redis");
        }
        var d = limits.Defaults;
        foreach (var (field, problem) in LimitRanges.Check(d.Qps, d.Burst, d.Concurrency, d.Tpm))
        {
            error($"limits.defaults.{field}", problem);
        }
        if (limits.Global.Concurrency is < 0 or > LimitRanges.MaxConcurrency)
        {
            error("limits.global.concurrency", $"{limits.Global.Concurrency} is out of range (0 to {LimitRanges.MaxConcurrency}; 0 means unlimited)");
        }
        if (limits.DefaultMaxTokens is < 1 or > LimitRanges.MaxContextTokens)
        {
            error("limits.default_max_tokens", $"{limits.DefaultMaxTokens} is out of range (1 to {LimitRanges.MaxContextTokens})");
        }
        var media = limits.MediaTokens;
        foreach (var (field, value) in (ReadOnlySpan<(string, int)>)[("image", media.Image), ("audio", media.Audio), ("video", media.Video)])
        {
            if (value is < 0 or > LimitRanges.MaxContextTokens)
            {
                error($"limits.media_tokens.{field}", $"{value} is out of range (0 to {LimitRanges.MaxContextTokens})");
            }
        }
        CheckDuration("limits.lease_ttl", limits.LeaseTtl, TimeSpan.FromSeconds(3), error);
    }
}
