using System.Diagnostics;
using System.Threading.RateLimiting;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// One key's in-process limiters. Concurrency and requests per second use the built-in limiters: a
/// <see cref="ConcurrencyLimiter"/> without a queue, and a <see cref="TokenBucketRateLimiter"/> without its own
/// timer, refilled from the elapsed time on each use (so idle keys cost no timers, and no partitioned limiter's
/// global heartbeat — which also never refills chained buckets on the .NET 10.0.12 shared framework — is involved).
/// Tokens per minute use <see cref="TokenDebtBucket"/>, which the built-ins cannot replace.
/// </summary>
public sealed class KeyLimiter
{
    private readonly ConcurrencyLimiter? _concurrency;
    private readonly TokenBucketRateLimiter? _requests;

    public KeyLimiter(LimitPolicy policy)
    {
        Policy = policy;
        if (policy.LimitsConcurrency)
        {
            _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = policy.Concurrency, QueueLimit = 0 });
        }
        if (policy.LimitsRequests)
        {
            // Refill is proportional to the elapsed time; the period only sets the rate, kept at 1 ms or more so that
            // a high QPS does not round to a zero-length period.
            var tokensPerPeriod = (int)Math.Max(1, Math.Ceiling(policy.Qps / 1000));
            _requests = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = policy.Burst,
                TokensPerPeriod = tokensPerPeriod,
                ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / policy.Qps),
                AutoReplenishment = false,
                QueueLimit = 0,
            });
        }
        if (policy.LimitsTokens)
        {
            Tokens = new TokenDebtBucket(policy.Tpm, Stopwatch.GetTimestamp());
        }
    }

    public LimitPolicy Policy { get; }

    public TokenDebtBucket? Tokens { get; }

    /// <summary>Concurrency leases held now (0 when nothing leaked).</summary>
    public int ActiveLeases => _concurrency is null ? 0 : Policy.Concurrency - (int)_concurrency.GetStatistics()!.CurrentAvailablePermits;

    public RateLimitLease? TryEnter() => _concurrency?.AttemptAcquire();

    public RateLimitLease? TryTakeRequest()
    {
        if (_requests is null)
        {
            return null;
        }
        _requests.TryReplenish();
        return _requests.AttemptAcquire();
    }

    public LimitState State(long now)
    {
        long requestsRemaining = 0;
        var requestsReset = TimeSpan.Zero;
        if (_requests is not null)
        {
            _requests.TryReplenish();
            requestsRemaining = _requests.GetStatistics()!.CurrentAvailablePermits;
            requestsReset = TimeSpan.FromSeconds((Policy.Burst - requestsRemaining) / Policy.Qps);
        }
        var (tokensRemaining, tokensReset) = Tokens?.Peek(now) ?? (0, TimeSpan.Zero);
        var concurrencyRemaining = _concurrency is null ? 0 : (int)_concurrency.GetStatistics()!.CurrentAvailablePermits;
        return new LimitState(Policy.Burst, requestsRemaining, requestsReset, Policy.Tpm, tokensRemaining, tokensReset, Policy.Concurrency, concurrencyRemaining);
    }
}
