using System.Globalization;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// The <c>x-ratelimit-*</c> headers in OpenAI's format, for the limits a key has (an unlimited one is left out):
/// requests (the QPS bucket: its burst, what is left, time until full), tokens (per minute) and, beyond OpenAI's
/// set, concurrency. On Anthropic's Messages API the same figures go out as Anthropic's
/// <c>anthropic-ratelimit-*</c> headers, whose resets are RFC 3339 times.
/// </summary>
public static class RateLimitHeaders
{
    public const string LimitRequests = "x-ratelimit-limit-requests";
    public const string RemainingRequests = "x-ratelimit-remaining-requests";
    public const string ResetRequests = "x-ratelimit-reset-requests";
    public const string LimitTokens = "x-ratelimit-limit-tokens";
    public const string RemainingTokens = "x-ratelimit-remaining-tokens";
    public const string ResetTokens = "x-ratelimit-reset-tokens";
    public const string LimitConcurrency = "x-ratelimit-limit-concurrency";
    public const string RemainingConcurrency = "x-ratelimit-remaining-concurrency";
    public const string RetryAfterMs = "retry-after-ms";
    public const string ShouldRetry = "x-should-retry";

    public const string AnthropicPrefix = "anthropic-ratelimit-";

    /// <summary>The headers for <paramref name="response"/>'s API: OpenAI's, or Anthropic's on the Messages API.</summary>
    public static void Write(HttpResponse response, in LimitState state)
    {
        if (ClientApis.ApiOperation.IsAnthropic(response.HttpContext))
        {
            WriteAnthropic(response.Headers, state, DateTimeOffset.UtcNow);
        }
        else
        {
            Write(response.Headers, state);
        }
    }

    public static void WriteAnthropic(IHeaderDictionary headers, in LimitState state, DateTimeOffset now)
    {
        if (state.RequestsLimit > 0)
        {
            headers[AnthropicPrefix + "requests-limit"] = LimitText(state.RequestsLimit);
            headers[AnthropicPrefix + "requests-remaining"] = Text(state.RequestsRemaining);
            headers[AnthropicPrefix + "requests-reset"] = Time(now + state.RequestsReset);
        }
        if (state.TokensLimit > 0)
        {
            headers[AnthropicPrefix + "tokens-limit"] = LimitText(state.TokensLimit);
            headers[AnthropicPrefix + "tokens-remaining"] = Text(state.TokensRemaining);
            headers[AnthropicPrefix + "tokens-reset"] = Time(now + state.TokensReset);
        }
    }

    public static void Write(IHeaderDictionary headers, in LimitState state)
    {
        if (state.RequestsLimit > 0)
        {
            headers[LimitRequests] = LimitText(state.RequestsLimit);
            headers[RemainingRequests] = Text(state.RequestsRemaining);
            headers[ResetRequests] = GoDuration.Format(state.RequestsReset);
        }
        if (state.TokensLimit > 0)
        {
            headers[LimitTokens] = LimitText(state.TokensLimit);
            headers[RemainingTokens] = Text(state.TokensRemaining);
            headers[ResetTokens] = GoDuration.Format(state.TokensReset);
        }
        if (state.ConcurrencyLimit > 0)
        {
            headers[LimitConcurrency] = LimitText(state.ConcurrencyLimit);
            headers[RemainingConcurrency] = Text(state.ConcurrencyRemaining);
        }
    }

    /// <summary>
    /// <c>Retry-After</c> in whole seconds (rounded up, at least 1) and <c>retry-after-ms</c>, which OpenAI's SDKs
    /// prefer; a request that can never fit gets <c>x-should-retry: false</c> instead.
    /// </summary>
    public static void WriteRetry(IHeaderDictionary headers, in LimitRejection rejection)
    {
        if (rejection.Kind == LimitKind.TokensTooLarge)
        {
            headers[ShouldRetry] = "false";
            return;
        }
        var ms = Math.Max(1, (long)Math.Ceiling(rejection.RetryAfter.TotalMilliseconds));
        headers.RetryAfter = Text((ms + 999) / 1000);
        headers[RetryAfterMs] = Text(ms);
    }

    /// <summary>
    /// Writes the ticket's headers when the response starts — after the backend's headers were copied, or an error
    /// cleared them — with the figures of its last step of admission.
    /// </summary>
    public static void WriteOnStarting(HttpResponse response, LimitTicket ticket)
    {
        var state = ticket.State;
        if (state.RequestsLimit <= 0 && state.TokensLimit <= 0 && state.ConcurrencyLimit <= 0)
        {
            return;
        }
        response.OnStarting(static s =>
        {
            var (response, ticket) = ((HttpResponse, LimitTicket))s;
            Write(response, ticket.State);
            return Task.CompletedTask;
        }, (response, ticket));
    }

    // A key's limits are the same request after request, and few keys have limits of their own: their text is kept
    // (a small cache indexed by a hash of the value) rather than formatted for every response.
    private static readonly NumberText?[] Limits = new NumberText?[16];

    private static string LimitText(long value)
    {
        // Fibonacci hashing: round limits (multiples of 10,000, of 1,000) spread over the slots instead of sharing one.
        ref var slot = ref Limits[(int)(unchecked((ulong)value * 0x9E3779B97F4A7C15UL) >> 60)];
        if (slot is { } known && known.Value == value)
        {
            return known.Text;
        }
        var text = Text(value);
        slot = new NumberText(value, text);
        return text;
    }

    private sealed record NumberText(long Value, string Text);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
