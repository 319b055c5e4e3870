namespace LlmHost.Gateway.RateLimiting;

/// <summary>Why a request was turned away, with the figures its error message and headers report.</summary>
public readonly record struct LimitRejection(LimitKind Kind, long Limit, long Used, long Requested, TimeSpan RetryAfter);
