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

/// <summary>Why a request was turned away, with the figures its error message and headers report.</summary>
public readonly record struct LimitRejection(LimitKind Kind, long Limit, long Used, long Requested, TimeSpan RetryAfter);
