namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// What the <c>x-ratelimit-*</c> headers report about a key after a decision: per limit, its size, what is left, and
/// how long until it is whole again. A limit of 0 is unlimited and not reported.
/// </summary>
public readonly record struct LimitState(
    long RequestsLimit,
    long RequestsRemaining,
    TimeSpan RequestsReset,
    long TokensLimit,
    long TokensRemaining,
    TimeSpan TokensReset,
    int ConcurrencyLimit,
    int ConcurrencyRemaining);
