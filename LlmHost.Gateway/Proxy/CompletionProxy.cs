using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using LlmHost.Gateway.Admin;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The request path for <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>: inspect the
/// body once, route by <c>model</c>, pick an instance, rewrite the body only when needed, and stream the answer
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
    Observability.GatewayMetrics metrics,
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
            if (context.GetApiKey() is { } key && !key.Models.Allows(request.Model))
            {
                usage.RecordRejection(key.Id);
                metrics.Rejected(key.Id, "model_not_allowed");
                await OpenAIErrors.ModelNotAllowedAsync(context, request.Model, key.Id);
                return;
            }
            if (!routes.Current.TryGet(request.Model, out var route))
            {
                await OpenAIErrors.ModelNotFoundAsync(context, request.Model);
                return;
            }
            var measurement = new CompletionMeasurement(request.Model, request.Stream, start);
            try
            {
                await ForwardAsync(context, request, route, measurement);
            }
            finally
            {
                measurement.Status = context.Response.StatusCode;
                measurement.Duration = Stopwatch.GetElapsedTime(start);
                foreach (var observer in _observers)
                {
                    observer.OnRequestCompleted(context, measurement);
                }
            }
        }
    }

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
                var outcome = await SendAsync(context, request, instance, route.UpstreamModels[index], injectUsage);
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
            var error = await forwarder.SendAsync(context, instance.Address, client.Invoker, client.RequestConfig, instance.Transformer);
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
        GatewayLog.ForwardFailed(logger, instance.Name, outcome.Error.ToString(), context.GetForwarderErrorFeature()?.Exception);
        switch (outcome.Error)
        {
            case ForwarderError.RequestTimedOut:
                await OpenAIErrors.BackendTimeoutAsync(context, instance.Name);
                break;
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient:
                break; // the client went away; nobody is left to answer
            default:
                await OpenAIErrors.BackendFailedAsync(context, instance.Name);
                break;
        }
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
