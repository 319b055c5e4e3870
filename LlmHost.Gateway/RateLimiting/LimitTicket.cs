namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// What an admitted request holds: its concurrency leases (taken before its body was read) and, once its prompt was
/// estimated, its token reservation. <see cref="Complete"/> gives them back exactly once, whoever calls it first
/// (the request's <c>finally</c>, on every path).
/// </summary>
public abstract class LimitTicket
{
    private int _completed;

    /// <summary>The tokens reserved against the key's tokens per minute (0 until reserved, or without a token limit).</summary>
    public long ReservedTokens { get; private set; }

    /// <summary>Whether a reservation was taken (it must then be settled, even at 0 tokens used).</summary>
    public bool HasReservation { get; private set; }

    /// <summary>The figures of the <c>x-ratelimit-*</c> headers after the last step of admission.</summary>
    public LimitState State { get; set; }

    /// <summary>
    /// Step two of admission: reserves <paramref name="tokens"/> against the key's tokens per minute. Refused, the
    /// ticket keeps its leases, which <see cref="Complete"/> gives back; the request taken from the QPS bucket stays
    /// spent (a refusal costs a request like any other).
    /// </summary>
    public async ValueTask<Admission> ReserveTokensAsync(long tokens)
    {
        // A negative reservation would refund tokens never taken.
        tokens = Math.Max(0, tokens);
        var decision = await TryReserveAsync(tokens);
        State = decision.State;
        if (decision.IsAdmitted && decision.Reserved)
        {
            ReservedTokens = tokens;
            HasReservation = true;
        }
        return new Admission(decision.IsAdmitted ? this : null, decision.Rejection, decision.State);
    }

    /// <summary>Releases the leases and settles the reservation with the tokens the request really used.</summary>
    public void Complete(long usedTokens)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            Release(usedTokens);
        }
    }

    protected abstract ValueTask<TokenDecision> TryReserveAsync(long tokens);

    protected abstract void Release(long usedTokens);

    /// <summary>The outcome of a reservation: admitted (and whether anything was reserved), or why not.</summary>
    protected readonly record struct TokenDecision(bool IsAdmitted, bool Reserved, LimitRejection Rejection, LimitState State);
}
