namespace LlmHost.Gateway.RateLimiting;

/// <summary>The limit state of one key, for the admin API and the leak tests.</summary>
public sealed record KeyLimitSnapshot(string KeyId, int ActiveLeases, int OpenReservations, long ReservedTokens, LimitState State);
