using System.Collections.Concurrent;
using System.Diagnostics;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Limit state in this process: one <see cref="KeyLimiter"/> per key id, rebuilt when the key's limits change, and
/// one global concurrency limiter. The default store, and the fallback of the Redis store while Redis is away.
/// </summary>
public sealed class MemoryLimitStore : ILimitStore
{
    private static readonly TimeSpan ConcurrencyRetryAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, KeyLimiter> _keys = new(StringComparer.Ordinal);
    private ConcurrencySlots? _global;

    public ValueTask<Admission> EnterAsync(LimitRequest request) => ValueTask.FromResult(Enter(request));

    public Admission Enter(in LimitRequest request)
    {
        var limiter = LimiterFor(request.KeyId, request.Policy);
        var global = GlobalFor(request.GlobalConcurrency);
        var now = Stopwatch.GetTimestamp();

        if (global is not null && !global.TryTake())
        {
            return Reject(limiter, new LimitRejection(LimitKind.GlobalConcurrency, global.Limit, global.Limit, 1, ConcurrencyRetryAfter), now);
        }
        if (!limiter.TryEnter())
        {
            global?.Release();
            var limit = limiter.Policy.Concurrency;
            return Reject(limiter, new LimitRejection(LimitKind.Concurrency, limit, limit, 1, ConcurrencyRetryAfter), now);
        }
        // Last, because a token bucket's permit cannot be given back: a request turned away above takes none.
        if (!limiter.TryTakeRequest(now, out var retryAfter))
        {
            limiter.Exit();
            global?.Release();
            var burst = limiter.Policy.Burst;
            return Reject(limiter, new LimitRejection(LimitKind.Requests, burst, burst, 1, retryAfter), now);
        }
        return new Admission(new MemoryTicket(limiter, global), default, limiter.State(now));
    }

    /// <summary>Leases and reservations held now, per key and in total: all zero when nothing leaked.</summary>
    public LimitStoreSnapshot Snapshot()
    {
        var keys = new List<KeyLimitSnapshot>(_keys.Count);
        var now = Stopwatch.GetTimestamp();
        foreach (var (id, limiter) in _keys)
        {
            keys.Add(new KeyLimitSnapshot(id, limiter.ActiveLeases, limiter.Tokens?.OpenReservations ?? 0, limiter.Tokens?.ReservedTokens ?? 0, limiter.State(now)));
        }
        return new LimitStoreSnapshot(_global?.Taken ?? 0, keys);
    }

    public KeyLimiter? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    /// <summary>The key's own token bucket in this process (null without a token limit): the Redis store's fallback.</summary>
    public TokenDebtBucket? TokensFor(string keyId, in LimitPolicy policy) => LimiterFor(keyId, policy).Tokens;

    /// <summary>
    /// Forgets the limiters of keys that no longer exist (deleted from the key file), unless they still hold a lease
    /// or a reservation; without this, every key ever used would keep its ~600 bytes until a restart.
    /// </summary>
    public int Prune(Func<string, bool> exists)
    {
        var removed = 0;
        foreach (var (id, limiter) in _keys)
        {
            if (!exists(id) && limiter.ActiveLeases == 0 && (limiter.Tokens?.OpenReservations ?? 0) == 0
                && _keys.TryRemove(new KeyValuePair<string, KeyLimiter>(id, limiter)))
            {
                removed++;
            }
        }
        return removed;
    }

    private KeyLimiter LimiterFor(string keyId, in LimitPolicy policy)
    {
        if (_keys.TryGetValue(keyId, out var limiter) && limiter.Policy == policy)
        {
            return limiter;
        }
        // New key, or its limits changed (key file or config reloaded): fresh limiters. Leases held on the old ones
        // are released to the old ones, so nothing leaks; for a moment both sets of in-flight requests count.
        var fresh = new KeyLimiter(policy);
        return _keys.AddOrUpdate(keyId, fresh, (_, existing) => existing.Policy == fresh.Policy ? existing : fresh);
    }

    private ConcurrencySlots? GlobalFor(int limit)
    {
        if (limit <= 0)
        {
            return null;
        }
        var global = _global;
        if (global is null || global.Limit != limit)
        {
            var fresh = new ConcurrencySlots(limit);
            global = Interlocked.CompareExchange(ref _global, fresh, global) == global ? fresh : _global!;
        }
        return global;
    }

    private static Admission Reject(KeyLimiter limiter, LimitRejection rejection, long now) => new(null, rejection, limiter.State(now));

    private sealed class MemoryTicket(KeyLimiter limiter, ConcurrencySlots? global) : LimitTicket
    {
        protected override ValueTask<TokenDecision> TryReserveAsync(long tokens) => ValueTask.FromResult(Reserve(tokens));

        private TokenDecision Reserve(long tokens)
        {
            var now = Stopwatch.GetTimestamp();
            if (limiter.Tokens is not { } bucket)
            {
                return new TokenDecision(true, false, default, limiter.State(now));
            }
            var admitted = bucket.TryAdmit(tokens, now, out var rejection);
            return new TokenDecision(admitted, admitted, rejection, limiter.State(now));
        }

        protected override void Release(long usedTokens)
        {
            if (HasReservation)
            {
                limiter.Tokens?.Settle(ReservedTokens, usedTokens, Stopwatch.GetTimestamp());
            }
            limiter.Exit();
            global?.Release();
        }
    }
}
