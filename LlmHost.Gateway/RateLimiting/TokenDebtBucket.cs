using System.Diagnostics;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// A tokens-per-minute bucket that reserves an estimate before a request and settles it with the real usage after.
/// Written by hand because <see cref="System.Threading.RateLimiting.TokenBucketRateLimiter"/> cannot do either:
/// disposing a lease returns nothing (no refund), the balance cannot go below zero (an under-estimate's debt is
/// lost), and asking for more than its limit throws. Here the balance is signed: a request is admitted only when the
/// balance covers its whole reservation, under-estimates push the balance into debt that later requests wait out,
/// and over-estimates are refunded. Refill is lazy, from the elapsed time, so 100,000 idle keys cost no timers.
/// </summary>
public sealed class TokenDebtBucket
{
    private readonly Lock _lock = new();
    private readonly double _perTick;
    private double _balance;
    private long _updated;
    private int _open;
    private long _reserved;

    public TokenDebtBucket(long tokensPerMinute, long now)
    {
        Capacity = tokensPerMinute;
        _balance = tokensPerMinute;
        _updated = now;
        _perTick = tokensPerMinute / 60.0 / Stopwatch.Frequency;
    }

    public long Capacity { get; }

    /// <summary>Reservations not yet settled (0 when nothing leaked).</summary>
    public int OpenReservations => Volatile.Read(ref _open);

    /// <summary>Tokens held by the open reservations.</summary>
    public long ReservedTokens => Interlocked.Read(ref _reserved);

    /// <summary>Takes <paramref name="tokens"/> when the balance covers them; otherwise says when it will.</summary>
    public bool TryReserve(long tokens, long now, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            Refill(now);
            if (_balance >= tokens)
            {
                _balance -= tokens;
                _open++;
                _reserved += tokens;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TicksFor(tokens - _balance);
            return false;
        }
    }

    /// <summary>
    /// Step two of admission against this bucket: reserves <paramref name="tokens"/>, or says why not — the budget
    /// does not cover them yet, or they exceed the whole per-minute budget (waiting would never help).
    /// </summary>
    public bool TryAdmit(long tokens, long now, out LimitRejection rejection)
    {
        var tooLarge = tokens > Capacity;
        var retryAfter = TimeSpan.Zero;
        if (!tooLarge && TryReserve(tokens, now, out retryAfter))
        {
            rejection = default;
            return true;
        }
        rejection = new LimitRejection(tooLarge ? LimitKind.TokensTooLarge : LimitKind.Tokens, Capacity, Used(now), tokens, retryAfter);
        return false;
    }

    /// <summary>Ends a reservation: refunds what was not used, or charges what was used beyond it (into debt).</summary>
    public void Settle(long reserved, long used, long now)
    {
        lock (_lock)
        {
            Refill(now);
            _balance = Math.Min(Capacity, _balance + reserved - used);
            _open--;
            _reserved -= reserved;
        }
    }

    /// <summary>Whole tokens available now (0 while in debt), and the time until the bucket is full.</summary>
    public (long Remaining, TimeSpan Reset) Peek(long now)
    {
        lock (_lock)
        {
            Refill(now);
            return ((long)Math.Max(0, Math.Floor(_balance)), TicksFor(Capacity - _balance));
        }
    }

    /// <summary>Tokens taken from the budget and not yet refilled: the "used" of a 429 message.</summary>
    public long Used(long now)
    {
        lock (_lock)
        {
            Refill(now);
            return (long)Math.Ceiling(Capacity - _balance);
        }
    }

    private void Refill(long now)
    {
        if (now > _updated)
        {
            _balance = Math.Min(Capacity, _balance + (now - _updated) * _perTick);
            _updated = now;
        }
    }

    private TimeSpan TicksFor(double tokens) =>
        tokens <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling(tokens / _perTick) / Stopwatch.Frequency);
}
