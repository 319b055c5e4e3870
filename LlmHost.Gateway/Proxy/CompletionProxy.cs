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
/// The request path for <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>, cheapest
/// checks first: enter the key's concurrency and QPS limits before a byte of the body is read; read and inspect the
/// body (bounded); resolve the model it names and check the key may use it; route; reserve its tokens; stream the
/// answer through YARP's forwarder while metering it; settle. A connection refused by the first instance is retried
/// once on another; nothing is retried once the request reached a backend.
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
    RequestInspector inspector,
    RequestBodyBudget bodyBudget,
    ILogger<CompletionProxy> logger)
{
    private const int MaxAttempts = 2;
    private readonly IRequestObserver[] _observers = [.. observers];

    public async Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var key = context.GetApiKey()!;
        if (await EnterAsync(context, key) is not { } ticket)
        {
            return;
        }
        CompletionMeasurement? measurement = null;
        using var bodyBytes = bodyBudget.Open(key.Id);
        try
        {
            using var request = await ReadAsync(context, key, bodyBytes);
            if (request is null || await ResolveAsync(context, key, request) is not { } route)
            {
                return;
            }
            measurement = new CompletionMeasurement(route.Model, request.Stream, start);
            if (await ReserveAsync(context, key, ticket, request, route, measurement))
            {
                await ForwardAsync(context, request, route, measurement);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while its prompt was being counted.
            MarkClientGone(context, measurement);
        }
        finally
        {
            Settle(context, key, ticket, measurement);
        }
    }

    /// <summary>
    /// Step 1: the key's (and the gateway's) concurrency and one request of its QPS bucket, before the body is read —
    /// so that a key at its limits costs a refusal, not a 16 MiB buffer. Refusals of later steps (400, 403, 404, 413)
    /// have spent their request too.
    /// </summary>
    private async ValueTask<LimitTicket?> EnterAsync(HttpContext context, ApiKey key)
    {
        var entry = await limits.EnterAsync(key, limits.PolicyFor(key));
        if (entry.Ticket is not { } ticket)
        {
            RecordRejection(context, key.Id, entry.Rejection.Kind.Label());
            await OpenAIErrors.RateLimitedAsync(context, key.Id, entry);
            return null;
        }
        ticket.State = entry.State;
        RateLimitHeaders.WriteOnStarting(context.Response, ticket);
        return ticket;
    }

    /// <summary>Step 2: the body, bounded by size and by the body budgets, and its fields; null when refused.</summary>
    private async Task<InspectedRequest?> ReadAsync(HttpContext context, ApiKey key, RequestBodyBudget.Lease bodyBytes)
    {
        var maxBodyBytes = config.Current.MaxRequestBodyBytes;
        var inspection = await inspector.ReadAsync(context, maxBodyBytes, bodyBytes);
        var log = context.Features.Get<RequestLogFeature>();
        switch (inspection.Failure)
        {
            case InspectionFailure.None:
                var request = inspection.Request!;
                log?.RequestBytes = request.Length;
                log?.Model = request.Model;
                if (key.LogBodies && log is not null)
                {
                    log.RequestBody = new BodyCapture();
                    log.RequestBody.Append(request.Body.Span);
                }
                if (request.OperatorField is { } field && config.Current.Settings.Gateway.OperatorFields == "refuse")
                {
                    request.Dispose();
                    await OpenAIErrors.OperatorOnlyFieldAsync(context, field);
                    return null;
                }
                return request;
            case InspectionFailure.TooLarge:
                await OpenAIErrors.PayloadTooLargeAsync(context, maxBodyBytes);
                return null;
            case InspectionFailure.OverBudget:
                RecordRejection(context, key.Id, inspection.Budget.Label());
                await OpenAIErrors.BodyBudgetSpentAsync(context, key.Id, inspection.Budget);
                return null;
            case InspectionFailure.TimedOut:
                await OpenAIErrors.BodyTimeoutAsync(context);
                return null;
            case InspectionFailure.ClientGone:
                MarkClientGone(context, null);
                return null;
            default:
                await OpenAIErrors.BadRequestAsync(context, inspection.Error!, inspection.Param);
                return null;
        }
    }

    /// <summary>
    /// Step 3: the model the request really selects — its <c>model</c>, or the adapter an engine field such as
    /// SGLang's <c>lora_path</c> names — checked against the key's allow-list, then routed; null when refused.
    /// </summary>
    private async Task<RouteEntry?> ResolveAsync(HttpContext context, ApiKey key, InspectedRequest request)
    {
        var model = request.Adapter ?? request.Model;
        context.Features.Get<RequestLogFeature>()?.Model = model;
        if (!key.Models.Allows(model))
        {
            RecordRejection(context, key.Id, "model_not_allowed");
            await OpenAIErrors.ModelNotAllowedAsync(context, model, key.Id);
            return null;
        }
        if (!routes.Current.TryGet(model, out var route))
        {
            await OpenAIErrors.ModelNotFoundAsync(context, model, request.AdapterField ?? "model");
            return null;
        }
        if (request.Adapter is { } adapter && adapter != request.Model && route.Parent != request.Model)
        {
            await OpenAIErrors.BadRequestAsync(context,
                $"'{request.AdapterField}' names `{adapter}`, which is not an adapter of the model `{request.Model}`.", request.AdapterField);
            return null;
        }
        return route;
    }

    /// <summary>
    /// Step 4: the tokens the request may use, reserved against the key's tokens per minute. The prompt is only
    /// counted for a key with a token limit; its estimate goes into the measurement, which settles with it when no
    /// usage arrives. False when refused (the 429 is written here).
    /// </summary>
    private async ValueTask<bool> ReserveAsync(HttpContext context, ApiKey key, LimitTicket ticket, InspectedRequest request, RouteEntry route,
        CompletionMeasurement measurement)
    {
        if (!limits.PolicyFor(key).LimitsTokens)
        {
            return true;
        }
        var settings = config.Current.Settings.Limits;
        var generates = !context.Request.Path.Value!.EndsWith("/embeddings", StringComparison.Ordinal);
        var reservation = TokenReservation.For(request.MaxTokens, request.MaxCompletionTokens, request.N, request.BestOf, route.MaxModelLen,
            settings.DefaultMaxTokens, generates);
        var counter = tokenizers.For(route.Instances.Length > 0 ? route.Instances[0].Backend.Tokenizer : null);
        var estimate = PromptEstimator.Estimate(request.Body.Span, counter, reservation, settings.MediaTokens, context.RequestAborted);
        measurement.PromptEstimate = estimate.PromptTokens;
        var admission = await ticket.ReserveTokensAsync(estimate.Reservation);
        if (admission.IsAdmitted)
        {
            return true;
        }
        RecordRejection(context, key.Id, admission.Rejection.Kind.Label());
        await OpenAIErrors.RateLimitedAsync(context, key.Id, admission);
        return false;
    }

    /// <summary>Step 6: gives back what the request held, charging what it used, then tells the observers.</summary>
    private void Settle(HttpContext context, ApiKey key, LimitTicket ticket, CompletionMeasurement? measurement)
    {
        if (measurement is null)
        {
            ticket.Complete(0);
            return;
        }
        measurement.Status = measurement.ClientGone ? CompletionMeasurement.ClientClosedRequest : context.Response.StatusCode;
        measurement.Duration = Stopwatch.GetElapsedTime(measurement.StartTimestamp);
        // First, so that no observer can keep a lease or a reservation from being given back.
        ticket.Complete(measurement.TokensCharged);
        RequestTrace.Tag(Activity.Current, key.Id, measurement);
        foreach (var observer in _observers)
        {
            observer.OnRequestCompleted(context, measurement);
        }
    }

    /// <summary>A refusal counts in the key's usage, in the rejections metric and on the request's access-log line.</summary>
    private void RecordRejection(HttpContext context, string keyId, string reason)
    {
        context.Features.Get<RequestLogFeature>()?.Rejection = reason;
        usage.RecordRejection(keyId);
        metrics.Rejected(keyId, reason);
    }

    // Nobody is left to answer: the access log and the measurement say 499, as Nginx does.
    private static void MarkClientGone(HttpContext context, CompletionMeasurement? measurement)
    {
        measurement?.ClientGone = true;
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = CompletionMeasurement.ClientClosedRequest;
        }
        context.Features.Get<RequestLogFeature>()?.ClientGone = true;
    }

    /// <summary>Step 5: picks an instance and forwards, retrying once on another when the first refused the connection.</summary>
    private async Task ForwardAsync(HttpContext context, InspectedRequest request, RouteEntry route, CompletionMeasurement measurement)
    {
        var injectUsage = BodyRewriter.NeedsUsageInjection(request);
        var clientBody = context.Response.Body;
        await using var metering = new MeteringStream(clientBody, context.Response, measurement, stripUsageChunk: injectUsage);
        context.Response.Body = metering;
        if (context.Features.Get<RequestLogFeature>() is { } log)
        {
            log.Measurement = measurement;
            measurement.ResponseBody = log.RequestBody is null ? null : new BodyCapture();
        }
        try
        {
            var excluded = -1;
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var index = BackendSelector.Pick(route.Instances, excluded);
                if (index < 0)
                {
                    await (attempt == 1
                        ? OpenAIErrors.NoHealthyBackendAsync(context, route.Model)
                        : OpenAIErrors.BackendFailedAsync(context, measurement.Backend!));
                    return;
                }
                var instance = route.Instances[index];
                measurement.Backend = instance.Name;
                measurement.Attempts = attempt;
                var sent = Stopwatch.GetTimestamp();
                // An adapter chosen through an engine field is named in model, where vLLM needs its name.
                var upstreamModel = route.UpstreamModels[index] ?? (request.Adapter is not null ? route.Model : null);
                var outcome = await SendAsync(context, request, instance, upstreamModel, injectUsage);
                measurement.UpstreamTime += Stopwatch.GetElapsedTime(sent);
                if (outcome.RequestNotSent && attempt < MaxAttempts && !context.Response.HasStarted)
                {
                    GatewayLog.RetryingOnAnotherBackend(logger, instance.Name, route.Model);
                    ResetForRetry(context);
                    excluded = index;
                    continue;
                }
                await ReportFailureAsync(context, instance, outcome, measurement);
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
        var rewritten = BodyRewriter.Rewrite(request, upstreamModel, injectUsage);
        context.Request.Body = rewritten ?? request.OpenBody();
        context.Request.ContentLength = rewritten?.Length ?? request.Length;
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
        }
    }

    private async Task ReportFailureAsync(HttpContext context, BackendInstance instance, ForwardOutcome outcome, CompletionMeasurement measurement)
    {
        if (outcome.Error == ForwarderError.None)
        {
            return;
        }
        if (outcome.IsClientGone || context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (cancelled, disconnected): routine, and nobody is left to answer.
            GatewayLog.ClientWentAway(logger, instance.Name, outcome.Error.ToString());
            MarkClientGone(context, measurement);
            return;
        }
        GatewayLog.ForwardFailed(logger, instance.Name, outcome.Error.ToString(), context.GetForwarderErrorFeature()?.Exception);
        await (outcome.Error == ForwarderError.RequestTimedOut
            ? OpenAIErrors.BackendTimeoutAsync(context, instance.Name)
            : OpenAIErrors.BackendFailedAsync(context, instance.Name));
    }

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
