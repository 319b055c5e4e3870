namespace LlmHost.Gateway.RateLimiting;

/// <summary>How many tokens a request reserves against its key's tokens-per-minute limit before it is forwarded.</summary>
public static class TokenReservation
{
    /// <summary>
    /// The prompt estimate plus, for generating endpoints, the completion tokens the request may produce: the larger
    /// of <c>max_tokens</c> and <c>max_completion_tokens</c> (a small <c>max_tokens</c> beside a large
    /// <c>max_completion_tokens</c> must not slip through), else the rest of the model's context, else
    /// <paramref name="defaultMaxTokens"/>; capped by what the context leaves; times <c>n</c>.
    /// </summary>
    public static long For(int promptTokens, int? maxTokens, int? maxCompletionTokens, int? n, int? maxModelLen, int defaultMaxTokens, bool generates)
    {
        if (!generates)
        {
            return promptTokens;
        }
        long completion = (maxTokens, maxCompletionTokens) switch
        {
            (null, null) => maxModelLen is { } length ? length - promptTokens : defaultMaxTokens,
            _ => Math.Max(maxTokens ?? 0, maxCompletionTokens ?? 0),
        };
        if (maxModelLen is { } contextLength)
        {
            completion = Math.Min(completion, contextLength - promptTokens);
        }
        return promptTokens + Math.Max(1, n ?? 1) * Math.Max(0, completion);
    }
}
