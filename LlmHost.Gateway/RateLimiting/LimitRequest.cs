namespace LlmHost.Gateway.RateLimiting;

/// <summary>One request's claim on the cheap limits, before its body is read.</summary>
public readonly record struct LimitRequest(string KeyId, LimitPolicy Policy, int GlobalConcurrency);
