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

public static class LimitKinds
{
    /// <summary>The label of <c>llmhost_gateway_rejections_total</c> and of the audit and access logs.</summary>
    public static string Label(this LimitKind kind) => kind switch
    {
        LimitKind.GlobalConcurrency => "global_concurrency",
        LimitKind.Concurrency => "concurrency",
        LimitKind.Requests => "requests",
        LimitKind.Tokens => "tokens",
        LimitKind.TokensTooLarge => "tokens_too_large",
        LimitKind.BodyBytes => "body_bytes",
        LimitKind.GlobalBodyBytes => "global_body_bytes",
        _ => "none",
    };
}
