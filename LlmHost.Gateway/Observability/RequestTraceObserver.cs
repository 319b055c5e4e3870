using System.Diagnostics;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability.AccessLogging;
using LlmHost.Gateway.Observability.GenAiContent;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// Puts what the gateway learnt about a request on its server span (ASP.NET Core's request activity), named after
/// OpenTelemetry's GenAI semantic conventions, so that the Aspire dashboard shows the call as an LLM call: operation,
/// provider (the engine), models asked for and answered, token limit, usage and finish reasons, the engine instance's address, and the error type of a
/// failure. The span of the backend call and the engine's own span hang below it through the propagated
/// <c>traceparent</c>. Message content goes on a span only for a key with <c>log_bodies</c>, from the first 16 KiB of
/// each body (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>).
/// </summary>
public sealed class RequestTraceObserver : IRequestObserver
{
    public void OnRejected(HttpContext context, RequestRejection rejection)
    {
        if (ExportedSpan.Current is { } activity)
        {
            activity.SetTag("llmhost.key_id", rejection.KeyId);
            activity.SetTag("llmhost.rejected", rejection.Reason);
            activity.SetTag("error.type", rejection.Reason);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement)
    {
        if (ExportedSpan.Current is not { } activity)
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
        }
        if (measurement.ServerHost is { } host)
        {
            activity.SetTag("server.address", host);
            activity.SetTag("server.port", measurement.ServerPort);
        }
        if (measurement.ResponseModel is { } responseModel)
        {
            activity.SetTag("gen_ai.response.model", responseModel);
        }
        if (measurement.FinishReasons.Count > 0)
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
        if (measurement.Status >= 400 || measurement.StreamError)
        {
            // The conventions' error.type: a refusal's reason when a limit said no, else the HTTP status as text (499
            // when the client went away), or stream_error for a stream that failed after its 200.
            if (activity.GetTagItem("error.type") is null)
            {
                activity.SetTag("error.type", measurement.Status >= 400 ? StatusTexts.Of(measurement.Status) : "stream_error");
            }
            activity.SetStatus(ActivityStatusCode.Error);
        }
        // Last: the bodies are the client's and the engine's, read only for a debugging switch.
        if (context.Features.Get<BodyCaptureFeature>() is { } bodies && ClientApis.ApiOperation.Of(context).Generates)
        {
            TagMessages(activity, measurement, bodies);
        }
    }

    /// <summary>
    /// The messages of a key with <c>log_bodies</c>: a request cut at the capture's limit gives none, an answer cut
    /// there what its whole events held (a stream) or none (one JSON body). What a body holds never fails the request:
    /// one the converters cannot read (a lone surrogate escape from an engine, …) leaves the attribute out.
    /// </summary>
    private static void TagMessages(Activity activity, CompletionMeasurement measurement, BodyCaptureFeature bodies)
    {
        try
        {
            if (!bodies.Request.Truncated && InputMessages.Read(measurement.Operation, bodies.Request.Text) is { } input)
            {
                activity.SetTag("gen_ai.system_instructions", input.SystemInstructions);
                activity.SetTag("gen_ai.input.messages", input.Messages);
            }
            if (measurement.Status < 400)
            {
                activity.SetTag("gen_ai.output.messages", OutputMessages.Read(measurement.Operation, bodies.Response.Text, bodies.Response.Truncated));
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
        }
    }

    /// <summary>A request refused before it was routed (malformed body, unknown model, …): its operation and error on the span.</summary>
    public static void Refused(string operation, int status)
    {
        if (ExportedSpan.Current is { } activity && status >= 400)
        {
            activity.SetTag("gen_ai.operation.name", operation);
            if (activity.GetTagItem("error.type") is null)
            {
                activity.SetTag("error.type", StatusTexts.Of(status));
            }
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
