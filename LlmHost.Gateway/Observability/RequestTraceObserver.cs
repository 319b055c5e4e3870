using System.Diagnostics;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// Puts what the gateway learnt about a request on its server span (ASP.NET Core's request activity), named after
/// OpenTelemetry's GenAI semantic conventions, so that the Aspire dashboard shows the call as an LLM call: operation,
/// provider (the engine), models asked for and answered, token limit, usage and finish reasons, the engine instance's address, and the error type of a
/// failure. The span of the backend call and the engine's own span hang below it through the propagated
/// <c>traceparent</c>. Message content is never put on a span.
/// </summary>
public sealed class RequestTraceObserver : IRequestObserver
{
    public void OnRejected(HttpContext context, RequestRejection rejection)
    {
        if (Activity.Current is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("llmhost.key_id", rejection.KeyId);
            activity.SetTag("llmhost.rejected", rejection.Reason);
            activity.SetTag("error.type", rejection.Reason);
        }
    }

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement)
    {
        if (Activity.Current is not { IsAllDataRequested: true } activity)
        {
            return;
        }
        activity.SetTag("gen_ai.operation.name", measurement.Operation);
        activity.SetTag("gen_ai.request.model", measurement.Model);
        activity.SetTag("gen_ai.request.stream", measurement.Stream);
        if (measurement.MaxTokens is { } maxTokens)
        {
            activity.SetTag("gen_ai.request.max_tokens", maxTokens);
        }
        if (measurement.Provider is { } provider)
        {
            activity.SetTag("gen_ai.provider.name", provider);
            activity.SetTag("server.address", measurement.ServerHost);
            activity.SetTag("server.port", measurement.ServerPort);
        }
        if (measurement.ResponseModel is { } responseModel)
        {
            activity.SetTag("gen_ai.response.model", responseModel);
        }
        if (measurement.FinishReasons != FinishReasons.None)
        {
            activity.SetTag("gen_ai.response.finish_reasons", FinishReasonNames.Names(measurement.FinishReasons));
        }
        activity.SetTag("llmhost.key_id", context.GetApiKey()?.Id);
        activity.SetTag("llmhost.backend", measurement.Backend);
        activity.SetTag("llmhost.attempts", measurement.Attempts);
        if (measurement.Source != UsageSource.None)
        {
            activity.SetTag("gen_ai.usage.input_tokens", measurement.PromptTokens);
            activity.SetTag("gen_ai.usage.output_tokens", measurement.CompletionTokens);
            if (measurement.CachedPromptTokens is { } cached)
            {
                activity.SetTag("gen_ai.usage.cache_read.input_tokens", cached);
            }
        }
        if (measurement.TimeToFirstToken is { } ttft)
        {
            activity.SetTag("llmhost.time_to_first_token_ms", Math.Round(ttft.TotalMilliseconds, 3));
        }
        if (measurement.Queue is { } queued)
        {
            activity.SetTag("llmhost.queue", queued.Label());
            activity.SetTag("llmhost.queue_ms", Math.Round(measurement.QueueTime.TotalMilliseconds, 3));
        }
        if (measurement.Status >= 400)
        {
            // The conventions' error.type: the HTTP status as text (499 when the client went away).
            activity.SetTag("error.type", ErrorType(measurement.Status));
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    private static string ErrorType(int status) => status switch
    {
        400 => "400", 401 => "401", 403 => "403", 404 => "404", 408 => "408", 413 => "413", 429 => "429", 499 => "499",
        500 => "500", 502 => "502", 503 => "503", 504 => "504",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
