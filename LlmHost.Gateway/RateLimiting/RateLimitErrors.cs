using LlmHost.Gateway.Errors;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>The 429s of the limits, in OpenAI's shape with its retry and rate-limit headers.</summary>
public static class RateLimitErrors
{
    /// <summary>
    /// 429 as OpenAI sends it: <c>type</c> <c>requests</c> or <c>tokens</c>, <c>code</c> <c>rate_limit_exceeded</c>, a
    /// message naming the limit with its limit, used and requested amounts, plus the retry and rate-limit headers.
    /// </summary>
    public static Task RateLimitedAsync(HttpContext context, string keyId, Admission admission)
    {
        var rejection = admission.Rejection;
        var wait = GoDuration.Format(rejection.RetryAfter);
        var (type, message) = rejection.Kind switch
        {
            LimitKind.GlobalConcurrency => ("requests",
                $"The gateway is at its limit of concurrent requests: Limit {rejection.Limit}, Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Concurrency => ("requests",
                $"Rate limit reached for key '{keyId}' on concurrent requests: Limit {rejection.Limit}, Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Requests => ("requests",
                $"Rate limit reached for key '{keyId}' on requests per second (QPS): Limit {rejection.Limit} (burst), Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Tokens => ("tokens",
                $"Rate limit reached for key '{keyId}' on tokens per min (TPM): Limit {rejection.Limit}, Used {rejection.Used}, Requested {rejection.Requested}. Please try again in {wait}."),
            _ => ("tokens",
                $"Request too large for key '{keyId}' on tokens per min (TPM): Limit {rejection.Limit}, Requested {rejection.Requested}. "
                + "The input or output tokens must be reduced in order to run successfully: lower max_tokens or shorten the prompt."),
        };
        var state = admission.State;
        return OpenAIErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, message, type, "rate_limit_exceeded", headers: response =>
        {
            RateLimitHeaders.Write(response, state);
            RateLimitHeaders.WriteRetry(response.Headers, rejection);
        });
    }

    /// <summary>The memory request bodies may hold (the key's share, or the gateway's) is in use: try again soon.</summary>
    public static Task BodyBudgetSpentAsync(HttpContext context, string keyId, LimitKind budget) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests,
            budget == LimitKind.BodyBytes
                ? $"Rate limit reached for key '{keyId}' on request bodies in flight: the key's requests already hold its share of the gateway's memory. Please try again in 1s."
                : "The gateway is at its limit of request bodies in flight. Please try again in 1s.",
            "requests", "rate_limit_exceeded", headers: static response =>
            {
                response.Headers.RetryAfter = "1";
                response.Headers[RateLimitHeaders.RetryAfterMs] = "1000";
            });
}
