using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using LlmHost.Gateway.Admin;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability;
using LlmHost.Gateway.Observability.AccessLogging;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Tokens;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The request path for <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>: inspect the
/// body once, route by <c>model</c>, admit it against the key's limits, pick an instance, rewrite the body only when needed, and stream the answer
/// through YARP's forwarder while metering it. A connection refused by the first instance is retried once on another;
/// nothing is retried once the request reached a backend.
/// </summary>
public sealed class CompletionProxy(
    GatewayConfigProvider config,
    RouteRegistry routes,
    IHttpForwarder forwarder,
    ForwarderClient client,
    IEnumerable<IRequestObserver> observers,
    KeyUsageTracker usage,
    GatewayMetrics metrics,
    LimitEnforcer limits,
    TokenCounterRegistry tokenizers,
    ILogger<CompletionProxy> logger)
{
    private const int MaxAttempts = 2;
    private readonly IRequestObserver[] _observers = [.. observers];

    public async Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var maxBodyBytes = config.Current.MaxRequestBodyBytes;
        var inspection = await RequestInspector.ReadAsync(context, maxBodyBytes);
        if (inspection.IsTooLarge)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, maxBodyBytes);
            return;
        }
        if (inspection.Request is not { } request)
        {
            await OpenAIErrors.BadRequestAsync(context, inspection.Error!, inspection.Param);
            return;
        }

        using (request)
        {
            var log = context.Features.Get<RequestLogFeature>();
            if (log is not null)
            {
                log.Model = request.Model;
                log.RequestBytes = request.Length;
            }
            var key = context.GetApiKey();
            if (key is not null && !key.Models.Allows(request.Model))
            {
                RecordRejection(context, key.Id, "model_not_allowed");
                await OpenAIErrors.ModelNotAllowedAsync(context, request.Model, key.Id);
                return;
            }
            if (!routes.Current.TryGet(request.Model, out var route))
            {
                await OpenAIErrors.ModelNotFoundAsync(context, request.Model);
                return;
            }
            var measurement = new CompletionMeasurement(request.Model, request.Stream, start);
            LimitTicket? ticket = null;
            if (key is not null && (ticket = await AdmitAsync(context, key, request, route, measurement)) is null)
            {
                return;
            }
            if (log is not null)
            {
                log.Measurement = measurement;
                if (key?.LogBodies == true)
                {
                    log.RequestBody = new BodyCapture();
                    log.RequestBody.Append(request.Body.Span);
                    measurement.ResponseBody = new BodyCapture();
                }
            }
            try
            {
                await ForwardAsync(context, request, route, measurement);
            }
            finally
            {
                measurement.Status = context.Response.StatusCode;
                measurement.Duration = Stopwatch.GetElapsedTime(start);
                // First, so that no observer can keep a lease or a reservation from being given back.
                ticket?.Complete(TokensUsed(measurement));
                RequestTrace.Tag(Activity.Current, key?.Id, measurement);
                foreach (var observer in _observers)
                {
                    observer.OnRequestCompleted(context, measurement);
                }
            }
        }
    }

    /// <summary>
    /// Step 3 of the request path: the ticket to give back when the request ends, or null when a limit refused it
    /// (the 429 is written here). The prompt is only tokenized when the key has a token limit; the estimate goes into
    /// the measurement, which settles with it when no usage arrives.
    /// </summary>
    private async ValueTask<LimitTicket?> AdmitAsync(HttpContext context, ApiKey key, InspectedRequest request, RouteEntry route, CompletionMeasurement measurement)
    {
        var policy = limits.PolicyFor(key);
        var tokens = 0L;
        if (policy.LimitsTokens)
        {
            var counter = tokenizers.For(route.Instances.Length > 0 ? route.Instances[0].Backend.Tokenizer : null);
            var promptEstimate = PromptEstimator.Estimate(request.Body.Span, counter);
            measurement.PromptEstimate = promptEstimate;
            var generates = !context.Request.Path.Value!.EndsWith("/embeddings", StringComparison.Ordinal);
            tokens = TokenReservation.For(promptEstimate, request.MaxTokens, request.MaxCompletionTokens, request.N, route.MaxModelLen,
                config.Current.Settings.Limits.DefaultMaxTokens, generates);
        }
        var admission = await limits.AdmitAsync(key, policy, tokens);
        if (!admission.IsAdmitted)
        {
            RecordRejection(context, key.Id, admission.Rejection.Kind.Label());
            await OpenAIErrors.RateLimitedAsync(context, key.Id, admission);
            return null;
        }
        RateLimitHeaders.WriteOnStarting(context.Response, admission.State);
        return admission.Ticket;
    }

    /// <summary>A refusal counts in the key's usage, in the rejections metric and on the request's access-log line.</summary>
    private void RecordRejection(HttpContext context, string keyId, string reason)
    {
        context.Features.Get<RequestLogFeature>()?.Rejection = reason;
        usage.RecordRejection(keyId);
        metrics.Rejected(keyId, reason);
    }

    /// <summary>
    /// What a request is charged: the reported usage; else the prompt estimate plus the streamed tokens counted
    /// (a stream cut short by the client); nothing for a backend error that produced no tokens.
    /// </summary>
    private static long TokensUsed(CompletionMeasurement measurement) => measurement.Source switch
    {
        UsageSource.Reported => measurement.ReportedPromptTokens is null ? measurement.PromptEstimate + measurement.TotalTokens : measurement.TotalTokens,
        UsageSource.Counted => measurement.PromptEstimate + measurement.CompletionTokens,
        _ => measurement.Status >= 400 ? 0 : measurement.PromptEstimate,
    };

    private async Task ForwardAsync(HttpContext context, InspectedRequest request, RouteEntry route, CompletionMeasurement measurement)
    {
        var injectUsage = BodyRewriter.NeedsUsageInjection(request);
        var clientBody = context.Response.Body;
        await using var metering = new MeteringStream(clientBody, context.Response, measurement, stripUsageChunk: injectUsage);
        context.Response.Body = metering;
        try
        {
            var excluded = -1;
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var index = BackendSelector.Pick(route.Instances, excluded);
                if (index < 0)
                {
                    if (attempt == 1)
                    {
                        await OpenAIErrors.NoHealthyBackendAsync(context, request.Model);
                    }
                    else
                    {
                        await OpenAIErrors.BackendFailedAsync(context, measurement.Backend!);
                    }
                    return;
                }
                var instance = route.Instances[index];
                measurement.Backend = instance.Name;
                measurement.Attempts = attempt;
                var sent = Stopwatch.GetTimestamp();
                var outcome = await SendAsync(context, request, instance, route.UpstreamModels[index], injectUsage);
                measurement.UpstreamTime += Stopwatch.GetElapsedTime(sent);
                if (outcome.RequestNotSent && attempt < MaxAttempts && !context.Response.HasStarted)
                {
                    GatewayLog.RetryingOnAnotherBackend(logger, instance.Name, request.Model);
                    ResetForRetry(context);
                    excluded = index;
                    continue;
                }
                await ReportFailureAsync(context, instance, outcome);
                return;
            }
        }
        finally
        {
            await metering.CompleteAsync(CancellationToken.None);
            context.Response.Body = clientBody;
        }
    }

    private async Task<ForwardOutcome> SendAsync(HttpContext context, InspectedRequest request, BackendInstance instance, string? upstreamModel, bool injectUsage)
    {
        var rewritten = BodyRewriter.Rewrite(request, upstreamModel, injectUsage, out var length);
        context.Request.Body = rewritten is null ? request.OpenBody() : new MemoryStream(rewritten, 0, length, writable: false);
        context.Request.ContentLength = length;
        instance.Enter();
        try
        {
            var error = await forwarder.SendAsync(context, instance.Address, client.Invoker, client.RequestConfig(request.Stream), instance.Transformer);
            var outcome = new ForwardOutcome(error, context.Response.StatusCode, error == ForwarderError.Request && NeverReachedBackend(context));
            if (!outcome.IsBackendFailure)
            {
                instance.Health.RecordSuccess();
            }
            else if (instance.Health.RecordFailure())
            {
                GatewayLog.BackendEjected(logger, instance.Name, PassiveHealth.FailureThreshold);
            }
            return outcome;
        }
        finally
        {
            instance.Leave();
            if (rewritten is not null)
            {
                ArrayPool<byte>.Shared.Return(rewritten);
            }
        }
    }

    private async Task ReportFailureAsync(HttpContext context, BackendInstance instance, ForwardOutcome outcome)
    {
        if (outcome.Error == ForwarderError.None)
        {
            return;
        }
        if (IsClientGone(outcome.Error))
        {
            // The client went away (cancelled, disconnected): routine, and nobody is left to answer.
            GatewayLog.ClientWentAway(logger, instance.Name, outcome.Error.ToString());
            return;
        }
        GatewayLog.ForwardFailed(logger, instance.Name, outcome.Error.ToString(), context.GetForwarderErrorFeature()?.Exception);
        switch (outcome.Error)
        {
            case ForwarderError.RequestTimedOut:
                await OpenAIErrors.BackendTimeoutAsync(context, instance.Name);
                break;
            default:
                await OpenAIErrors.BackendFailedAsync(context, instance.Name);
                break;
        }
    }

    private static bool IsClientGone(ForwarderError error) =>
        error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient;

    // Connection refused or a connect timeout: the backend never saw a byte of the request.
    private static bool NeverReachedBackend(HttpContext context)
    {
        for (var ex = context.GetForwarderErrorFeature()?.Exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                || ex is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.HostUnreachable })
            {
                return true;
            }
        }
        return false;
    }

    private static void ResetForRetry(HttpContext context)
    {
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.Headers.Clear();
    }
}
