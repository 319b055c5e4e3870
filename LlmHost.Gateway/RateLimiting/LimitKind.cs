namespace LlmHost.Gateway.RateLimiting;

/// <summary>Which limit turned a request away.</summary>
public enum LimitKind
{
    None,

    /// <summary>The whole gateway's <c>limits.global.concurrency</c>.</summary>
    GlobalConcurrency,

    /// <summary>The key's concurrent requests.</summary>
    Concurrency,

    /// <summary>The key's requests per second.</summary>
    Requests,

    /// <summary>The key's tokens per minute: not enough left now.</summary>
    Tokens,

    /// <summary>The request alone needs more tokens than the key's whole per-minute budget: retrying cannot help.</summary>
    TokensTooLarge,

    /// <summary>The key's requests hold <c>gateway.max_buffered_body_per_key_mb</c> of body already.</summary>
    BodyBytes,

    /// <summary>All requests hold <c>gateway.max_buffered_body_mb</c> of body already.</summary>
    GlobalBodyBytes,
}
