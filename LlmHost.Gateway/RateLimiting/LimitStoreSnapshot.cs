namespace LlmHost.Gateway.RateLimiting;

/// <summary>The limit state of the whole gateway process.</summary>
public sealed record LimitStoreSnapshot(int GlobalActiveLeases, IReadOnlyList<KeyLimitSnapshot> Keys);
