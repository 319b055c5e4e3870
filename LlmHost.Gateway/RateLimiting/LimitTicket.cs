namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// What an admitted request holds: its concurrency leases and its token reservation. <see cref="Complete"/> gives
/// them back exactly once, whoever calls it first (the request's <c>finally</c>, on every path).
/// </summary>
public abstract class LimitTicket
{
    private int _completed;

    protected LimitTicket(long reservedTokens) => ReservedTokens = reservedTokens;

    /// <summary>The tokens reserved before forwarding (0 when the key has no token limit).</summary>
    public long ReservedTokens { get; }

    /// <summary>Releases the leases and settles the reservation with the tokens the request really used.</summary>
    public void Complete(long usedTokens)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            Release(usedTokens);
        }
    }

    protected abstract void Release(long usedTokens);
}

/// <summary>The outcome of asking the limits: a ticket to forward with, or why not; and the headers' figures.</summary>
public readonly record struct Admission(LimitTicket? Ticket, LimitRejection Rejection, LimitState State)
{
    public bool IsAdmitted => Ticket is not null;
}

/// <summary>One request's claim on the limits.</summary>
public readonly record struct LimitRequest(string KeyId, LimitPolicy Policy, int GlobalConcurrency, long Tokens);

/// <summary>Where limit state lives: this process (<c>memory</c>) or Redis, shared by the replicas.</summary>
public interface ILimitStore
{
    /// <summary>
    /// Checks the limits in order — global concurrency, key concurrency, tokens, requests — and takes from all of
    /// them only if all admit the request: a request turned away by one limit consumes nothing from the others.
    /// </summary>
    ValueTask<Admission> AdmitAsync(LimitRequest request);
}
