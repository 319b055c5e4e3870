namespace LlmHost.Gateway.RateLimiting;

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
