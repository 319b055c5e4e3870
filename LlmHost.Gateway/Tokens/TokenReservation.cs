namespace LlmHost.Gateway.Tokens;

/// <summary>
/// How many completion tokens a request may produce per prompt, for its reservation against the key's tokens per
/// minute: the larger of <c>max_tokens</c> and <c>max_completion_tokens</c> (a small <c>max_tokens</c> beside a large
/// <c>max_completion_tokens</c> must not slip through), else the rest of the model's context, else
/// <c>limits.default_max_tokens</c>; capped by what the context leaves after the prompt; times the sequences
/// generated (<c>n</c>, or vLLM's <c>best_of</c> when larger). A batch of prompts reserves this for each prompt.
/// </summary>
public readonly record struct TokenReservation(int? MaxCompletion, int? ContextLength, int Sequences, int DefaultMaxTokens, bool Generates)
{
    public static TokenReservation For(int? maxTokens, int? maxCompletionTokens, int? n, int? bestOf, int? maxModelLen, int defaultMaxTokens, bool generates) =>
        new(maxTokens is null && maxCompletionTokens is null ? null : Math.Max(maxTokens ?? 0, maxCompletionTokens ?? 0),
            maxModelLen, Math.Max(1, Math.Max(n ?? 1, bestOf ?? 1)), defaultMaxTokens, generates);

    /// <summary>The completion tokens reserved for one prompt of <paramref name="promptTokens"/>.</summary>
    public long CompletionFor(long promptTokens)
    {
        if (!Generates)
        {
            return 0;
        }
        long completion = MaxCompletion ?? (ContextLength is { } length ? length - promptTokens : DefaultMaxTokens);
        if (ContextLength is { } context)
        {
            completion = Math.Min(completion, context - promptTokens);
        }
        return Sequences * Math.Max(0, completion);
    }

    /// <summary>A single prompt's whole reservation: the prompt and what it may generate.</summary>
    public static long ForOnePrompt(int promptTokens, int? maxTokens, int? maxCompletionTokens, int? n, int? maxModelLen, int defaultMaxTokens, bool generates) =>
        promptTokens + For(maxTokens, maxCompletionTokens, n, null, maxModelLen, defaultMaxTokens, generates).CompletionFor(promptTokens);
}
