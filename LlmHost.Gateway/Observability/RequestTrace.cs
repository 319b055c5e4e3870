using System.Diagnostics;
using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// Puts what the gateway learnt about a request on its server span (ASP.NET Core's request activity), so that the
/// trace in the Aspire dashboard shows the model, the backend and the tokens; the span of the backend call and the
/// engine's own span hang below it through the propagated <c>traceparent</c>. Names follow OpenTelemetry's
/// generative-AI conventions where they have one.
/// </summary>
public static class RequestTrace
{
    public static void Tag(Activity? activity, string? keyId, CompletionMeasurement measurement)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        activity.SetTag("gen_ai.request.model", measurement.Model);
        activity.SetTag("llmhost.key_id", keyId);
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
