using System.Diagnostics;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// One key's in-process limiters: concurrency (<see cref="ConcurrencySlots"/>), requests per second
/// (<see cref="RequestBucket"/>) and tokens per minute (<see cref="TokenDebtBucket"/>) — all refilled lazily from the
/// elapsed time, so idle keys cost no timers, and all counters, so that admitting a request allocates nothing.
/// </summary>
public sealed class KeyLimiter
{
    private readonly ConcurrencySlots? _concurrency;
    private readonly RequestBucket? _requests;

    public KeyLimiter(LimitPolicy policy)
    {
        Policy = policy;
        var now = Stopwatch.GetTimestamp();
        if (policy.LimitsConcurrency)
        {
            _concurrency = new ConcurrencySlots(policy.Concurrency);
        }
        if (policy.LimitsRequests)
        {
            _requests = new RequestBucket(policy.Burst, policy.Qps, now);
        }
        if (policy.LimitsTokens)
        {
            Tokens = new TokenDebtBucket(policy.Tpm, now);
        }
    }

    public LimitPolicy Policy { get; }

    public TokenDebtBucket? Tokens { get; }

    /// <summary>Concurrency slots held now (0 when nothing leaked).</summary>
    public int ActiveLeases => _concurrency?.Taken ?? 0;

    /// <summary>Takes a concurrency slot (true with no concurrency limit); <see cref="Exit"/> gives it back.</summary>
    public bool TryEnter() => _concurrency?.TryTake() ?? true;

    public void Exit() => _concurrency?.Release();

    /// <summary>Takes one request of the QPS bucket (true with no request limit); otherwise when to retry.</summary>
    public bool TryTakeRequest(long now, out TimeSpan retryAfter)
    {
        if (_requests is null)
        {
            retryAfter = TimeSpan.Zero;
            return true;
        }
        return _requests.TryTake(now, out retryAfter);
    }

    public LimitState State(long now)
    {
        long requestsRemaining = 0;
        var requestsReset = TimeSpan.Zero;
        if (_requests is not null)
        {
            requestsRemaining = _requests.Available(now);
            requestsReset = TimeSpan.FromSeconds((Policy.Burst - requestsRemaining) / Policy.Qps);
        }
        var (tokensRemaining, tokensReset) = Tokens?.Peek(now) ?? (0, TimeSpan.Zero);
        var concurrencyRemaining = _concurrency?.Available ?? 0;
        return new LimitState(Policy.Burst, requestsRemaining, requestsReset, Policy.Tpm, tokensRemaining, tokensReset, Policy.Concurrency, concurrencyRemaining);
    }
}
