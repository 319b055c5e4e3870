namespace LlmHost.Gateway.RateLimiting;

/// <summary>Where limit state lives: this process (<c>memory</c>) or Redis, shared by the replicas.</summary>
public interface ILimitStore
{
    /// <summary>
    /// Step one of admission, before any byte of the body is read: global concurrency, the key's concurrency, one
    /// request from its QPS bucket, in that order; a request refused by one takes nothing from the others. Tokens
    /// are reserved later on the ticket (<see cref="LimitTicket.ReserveTokensAsync"/>).
    /// </summary>
    ValueTask<Admission> EnterAsync(LimitRequest request);
}
