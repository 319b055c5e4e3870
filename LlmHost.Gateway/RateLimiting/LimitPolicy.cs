using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>The limits that apply to one key: its overrides from the key file over <c>limits.defaults</c>. 0 is unlimited.</summary>
public readonly record struct LimitPolicy(double Qps, int Burst, int Concurrency, long Tpm)
{
    public bool LimitsRequests => Qps > 0;
    public bool LimitsConcurrency => Concurrency > 0;
    public bool LimitsTokens => Tpm > 0;
    public bool IsUnlimited => !LimitsRequests && !LimitsConcurrency && !LimitsTokens;

    public static LimitPolicy For(KeyLimitsEntry? overrides, KeyLimits defaults)
    {
        var qps = overrides?.Qps ?? defaults.Qps;
        var burst = overrides?.Burst ?? (overrides?.Qps is not null ? 0 : defaults.Burst);
        // A bucket must hold at least one request, and a QPS of 10 with no burst set means 10 at once.
        if (qps > 0 && burst < 1)
        {
            burst = Math.Max(1, (int)Math.Ceiling(qps));
        }
        return new LimitPolicy(qps, qps > 0 ? burst : 0, overrides?.Concurrency ?? defaults.Concurrency, overrides?.Tpm ?? defaults.Tpm);
    }
}
