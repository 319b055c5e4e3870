using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.FlowControl;

/// <summary>Flow control's answers, in OpenAI's shape.</summary>
public static class FlowControlErrors
{
    public static Task BadPriorityAsync(HttpContext context) =>
        OpenAIErrors.BadRequestAsync(context, $"The header '{RequestPriorities.Header}' must be interactive, default or batch.", null, "invalid_priority");

    /// <summary>The queue (the model's or the key's share) was full, or the request waited <c>queue_timeout</c>.</summary>
    public static Task RefusedAsync(HttpContext context, string model, QueueOutcome outcome) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, outcome switch
        {
            QueueOutcome.Full => $"The engines serving `{ClientText.Bound(model)}` are saturated and its queue is full. Please try again later.",
            QueueOutcome.KeyFull => $"The engines serving `{ClientText.Bound(model)}` are saturated and this key's requests fill its share of the queue. Please try again later.",
            _ => $"The engines serving `{ClientText.Bound(model)}` stayed saturated while this request waited. Please try again later.",
        }, "requests", outcome.Label(), headers: response => response.Headers.RetryAfter = outcome == QueueOutcome.TimedOut ? "5" : "1");
}
