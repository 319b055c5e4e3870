using System.Diagnostics;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// Puts what the gateway learnt about a request on its server span (ASP.NET Core's request activity), so that the
/// trace in the Aspire dashboard shows the model, the backend and the tokens; the span of the backend call and the
/// engine's own span hang below it through the propagated <c>traceparent</c>. Names follow OpenTelemetry's
/// generative-AI conventions where they have one.
/// </summary>
public sealed class RequestTraceObserver : IRequestObserver
{
    public void OnRejected(HttpContext context, RequestRejection rejection)
    {
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("llmhost.key_id", rejection.KeyId);
            activity.SetTag("llmhost.rejected", rejection.Reason);
        }
    }

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement)
    {
        if (Activity.Current is not { IsAllDataRequested: true } activity)
        {
            return;
        }
        activity.SetTag("gen_ai.request.model", measurement.Model);
        activity.SetTag("llmhost.key_id", context.GetApiKey()?.Id);
        activity.SetTag("llmhost.backend", measurement.Backend);
        activity.SetTag("llmhost.attempts", measurement.Attempts);
        activity.SetTag("llmhost.stream", measurement.Stream);
        if (measurement.Source != UsageSource.None)
        {
            activity.SetTag("gen_ai.usage.input_tokens", measurement.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", measurement.CompletionTokens);
        }
        if (measurement.TimeToFirstToken is { } ttft)
        {
            activity.SetTag("llmhost.time_to_first_token_ms", Math.Round(ttft.TotalMilliseconds, 3));
        }
    }
}
