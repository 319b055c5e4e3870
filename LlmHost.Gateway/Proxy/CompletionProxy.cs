using System.Diagnostics;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Adapters;
using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Lifecycle;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Tokens;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The request path of the generation APIs (chat completions, completions, embeddings, responses, Anthropic's
/// messages and its token count), cheapest checks first, one method a step: admit the key's concurrency and QPS
/// before a byte of the body is read; inspect the body (bounded); authorize the model it selects and the priority
/// class it asks for; route it, to the instance that keeps the response it continues if it names one; reserve its
/// tokens; wake a sleeping engine when no instance is awake; place an adapter (loading it where needed); wait for its
/// turn when the engines are saturated; forward it (<see cref="BackendForwarder"/>); settle what it held and tell the
/// observers how it ended.
/// </summary>
public sealed class CompletionProxy(
    IOptionsMonitor<LlmHostConfig> config,
    LimitEnforcer limits,
    RequestBodyBudget bodyBudget,
    RequestInspector inspector,
    RouteRegistry routes,
    TokenCounterRegistry tokenizers,
    AdapterPlacement placement,
    EngineSleeper sleeper,
    FlowController flow,
    BackendForwarder forwarder,
    ResponseAffinity affinity,
    RequestOutcomes outcomes)
{
    public async Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var key = context.GetApiKey()!;
        if (await AdmitAsync(context, key) is not { } ticket)
        {
            return;
        }
        CompletionMeasurement? routed = null;
        using var bodyBytes = bodyBudget.Open(key.Id);
        try
        {
            using var request = await InspectAsync(context, key, bodyBytes);
            if (request is null)
            {
                return;
            }
            var measurement = new CompletionMeasurement(request.Adapter ?? request.Model, request.Stream, start, request.Length)
            {
                MaxTokens = request.MaxOutput,
                Operation = request.Operation.Name,
                Traced = Observability.ExportedSpan.Current is not null,
                KeepsResponseId = request.Operation == ApiOperation.Responses && request.Store,
            };
            context.Features.Set(measurement);
            if (!await AuthorizeModelAsync(context, key, measurement.Model) || !await PrioritizeAsync(context, key, request, measurement)
                || await RouteAsync(context, request, measurement.Model) is not { } candidate
                || await ServingAsync(context, request, candidate) is not { } serving
                || await affinity.RouteAsync(context, key, request, serving) is not { } route)
            {
                return;
            }
            affinity.Track(measurement, key, route);
            // The engine of a request refused or queued out before it reached one (the forwarder names the instance's).
            measurement.Provider = route.Provider;
            routed = measurement;
            if (await ReserveAsync(context, key, ticket, request, route, measurement) && await WakeAsync(context, route)
                && await PlaceAsync(context, route) is { } placed && await QueueAsync(context, key, request, placed, measurement) is { } turned)
            {
                try
                {
                    await forwarder.ForwardAsync(context, request, turned, measurement);
                    affinity.Settle(measurement, key, turned);
                }
                finally
                {
                    request.ReleaseGrant();
                    request.LetThrough?.Ended(key.Id);
                    flow.Pump();
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while its prompt was being counted.
            ClientGone.Mark(context, context.Features.Get<CompletionMeasurement>());
        }
        finally
        {
            Settle(context, ticket, routed);
        }
    }

    /// <summary>
    /// Step 1: the key's (and the gateway's) concurrency and one request of its QPS bucket, before the body is read —
    /// so that a key at its limits costs a refusal, not a 16 MiB buffer. Later refusals have spent their request too.
    /// </summary>
    private async ValueTask<LimitTicket?> AdmitAsync(HttpContext context, ApiKey key)
    {
        var entry = await limits.EnterAsync(key, limits.PolicyFor(key));
        if (entry.Ticket is not { } ticket)
        {
            outcomes.Rejected(context, key.Id, entry.Rejection.Kind.Label());
            await RateLimitErrors.RateLimitedAsync(context, key.Id, entry);
            return null;
        }
        ticket.State = entry.State;
        RateLimitHeaders.WriteOnStarting(context.Response, ticket);
        return ticket;
    }

    /// <summary>Step 2: the body, bounded by size and by the body budgets, and its fields; null when refused (answered here).</summary>
    private async ValueTask<InspectedRequest?> InspectAsync(HttpContext context, ApiKey key, RequestBodyBudget.Lease bodyBytes)
    {
        var settings = config.CurrentValue.Gateway;
        var maxBodyBytes = settings.MaxRequestBodyBytes;
        var inspection = await inspector.ReadAsync(context, maxBodyBytes, bodyBytes, settings.Server.RequestBodyTimeout);
        if (inspection.Request is { } request)
        {
            if (request.OperatorField is not { } field || settings.OperatorFields != "refuse")
            {
                return request;
            }
            request.Dispose();
            await ProxyErrors.OperatorOnlyFieldAsync(context, field);
            return null;
        }
        switch (inspection.Failure)
        {
            case InspectionFailure.TooLarge:
                await Errors.OpenAIErrors.PayloadTooLargeAsync(context, maxBodyBytes);
                break;
            case InspectionFailure.OverBudget:
                outcomes.Rejected(context, key.Id, inspection.Budget.Label());
                await RateLimitErrors.BodyBudgetSpentAsync(context, key.Id, inspection.Budget);
                break;
            case InspectionFailure.TimedOut:
                await ProxyErrors.BodyTimeoutAsync(context);
                break;
            case InspectionFailure.ClientGone:
                ClientGone.Mark(context, null);
                break;
            default:
                await Errors.OpenAIErrors.BadRequestAsync(context, inspection.Error!, inspection.Param);
                break;
        }
        return null;
    }

    /// <summary>Step 3: the key may use the model the request selects — its <c>model</c>, or the adapter SGLang's <c>lora_path</c> names.</summary>
    private async ValueTask<bool> AuthorizeModelAsync(HttpContext context, ApiKey key, string model)
    {
        if (key.Models.Allows(model))
        {
            return true;
        }
        outcomes.Rejected(context, key.Id, "model_not_allowed");
        await ProxyErrors.ModelNotAllowedAsync(context, model, key.Id);
        return false;
    }

    /// <summary>Step 4: the model's route; an adapter named by an engine field must be an adapter of the body's model.</summary>
    private async ValueTask<RouteEntry?> RouteAsync(HttpContext context, InspectedRequest request, string model)
    {
        if (!routes.Current.TryGet(model, out var route))
        {
            await RoutingErrors.ModelNotFoundAsync(context, model, request.AdapterField ?? "model");
            return null;
        }
        if (request.Adapter is { } adapter && adapter != request.Model && route.Parent != request.Model)
        {
            await Errors.OpenAIErrors.BadRequestAsync(context,
                $"'{request.AdapterField}' names `{adapter}`, which is not an adapter of the model `{request.Model}`.", request.AdapterField);
            return null;
        }
        return route;
    }

    /// <summary>
    /// Step 4b: the route's instances whose engines serve the request's API (by their profile and release); null, and
    /// 501, when none does.
    /// </summary>
    private static async ValueTask<RouteEntry?> ServingAsync(HttpContext context, InspectedRequest request, RouteEntry route)
    {
        if (request.Operation.EngineApi is not { } api)
        {
            return route;
        }
        if (route.ServingOnly(api) is { } serving)
        {
            return serving;
        }
        await ProxyErrors.UnsupportedApiAsync(context, route.Model, CanonicalPath.Of(context).Value!);
        return null;
    }

    /// <summary>
    /// Step 5: the tokens the request may use, reserved against the key's tokens per minute (only a key with a token
    /// limit has its prompt counted; the estimate settles the request when no usage arrives). False when refused.
    /// </summary>
    private async ValueTask<bool> ReserveAsync(HttpContext context, ApiKey key, LimitTicket ticket, InspectedRequest request, RouteEntry route,
        CompletionMeasurement measurement)
    {
        // Counting tokens runs no model: it is limited by requests, not tokens.
        if (!limits.PolicyFor(key).LimitsTokens || request.Operation == ApiOperation.CountTokens)
        {
            return true;
        }
        var settings = config.CurrentValue.Limits;
        var reservation = TokenReservation.For(request.MaxOutput, null, request.N, request.BestOf, route.MaxModelLen,
            settings.DefaultMaxTokens, request.Operation.Generates);
        var counter = tokenizers.For(route.Instances.Length > 0 ? route.Instances[0].Backend.Tokenizer : null);
        var estimate = PromptEstimator.Estimate(request.Body.Span, counter, reservation, settings.MediaTokens,
            conversationInput: request.Operation == ApiOperation.Responses, context.RequestAborted);
        // A follow-up's engine reads the stored conversation again before the new input.
        measurement.PromptEstimate = (int)Math.Min(int.MaxValue, estimate.PromptTokens + request.ConversationTokens);
        var admission = await ticket.ReserveTokensAsync(estimate.Reservation + request.ConversationTokens);
        if (admission.IsAdmitted)
        {
            return true;
        }
        outcomes.Rejected(context, key.Id, admission.Rejection.Kind.Label());
        await RateLimitErrors.RateLimitedAsync(context, key.Id, admission);
        return false;
    }

    /// <summary>
    /// Step 6: when no instance of the route is awake but one sleeps, wake it; the request (and any other arriving
    /// meanwhile) waits up to <c>sleep.wake_timeout</c>. False when it cannot be woken (answered here).
    /// </summary>
    private async ValueTask<bool> WakeAsync(HttpContext context, RouteEntry route)
    {
        BackendInstance? sleeping = null;
        foreach (var instance in route.Instances)
        {
            if (instance.Available)
            {
                return true;
            }
            sleeping ??= instance.Wakeable ? instance : null;
        }
        if (sleeping is null)
        {
            return true; // nothing to wake: the forwarder answers that no instance is available
        }
        var wake = sleeper.WakeAsync(sleeping, $"a request for {route.Model}");
        try
        {
            var woken = await wake.WaitAsync(sleeping.Backend.Sleep.WakeTimeout, context.RequestAborted);
            if (woken.Succeeded)
            {
                return true;
            }
            await ProxyErrors.WakeFailedAsync(context, route.Model);
        }
        catch (TimeoutException)
        {
            await ProxyErrors.WakingAsync(context, route.Model);
        }
        return false;
    }

    /// <summary>
    /// Step 7: for an adapter of the catalogue, the instances that hold it — loaded first where needed, the request
    /// waiting for that load. Null when it cannot be placed (answered here).
    /// </summary>
    private async ValueTask<RouteEntry?> PlaceAsync(HttpContext context, RouteEntry route)
    {
        if (route.Adapter is null)
        {
            return route;
        }
        var placed = await placement.PlaceAsync(route, context.RequestAborted);
        if (placed.Route is null)
        {
            await AdapterErrors.WriteAsync(context, route.Model, placed);
        }
        return placed.Route;
    }

    /// <summary>
    /// Step 3b: the priority class the request asks for (header <c>x-llmhost-priority</c>, else the body's
    /// <c>priority</c> by name), capped by the key's <c>max_priority</c>; checked before anything is reserved or loaded.
    /// </summary>
    private static async ValueTask<bool> PrioritizeAsync(HttpContext context, ApiKey key, InspectedRequest request, CompletionMeasurement measurement)
    {
        var asked = request.Priority;
        if (context.Request.Headers[RequestPriorities.Header] is { Count: > 0 } header)
        {
            if (RequestPriorities.Parse(header[0]) is not { } named)
            {
                await FlowControlErrors.BadPriorityAsync(context);
                return false;
            }
            asked = named;
        }
        var priority = RequestPriorities.Capped(asked, key.Limits?.MaxPriority);
        (request.Priority, measurement.Priority) = (priority, priority);
        return true;
    }

    /// <summary>
    /// Step 8: when flow control is on and no instance of the model has room, a turn in the model's queue. The route to
    /// forward with (a base model's as routed now, after a wait), or null when refused or gone (answered here).
    /// </summary>
    private async ValueTask<RouteEntry?> QueueAsync(HttpContext context, ApiKey key, InspectedRequest request, RouteEntry route, CompletionMeasurement measurement)
    {
        var turn = await flow.WaitTurnAsync(route, key.Id, key.Limits?.Weight ?? 1, request.Priority ?? RequestPriority.Default, context.RequestAborted);
        (request.HeldGrant, request.LetThrough) = (turn.Queue, turn.Queue);
        if (flow.Settings.Enabled)
        {
            (measurement.Queue, measurement.QueueTime) = (turn.Outcome, turn.Waited);
        }
        switch (turn.Outcome)
        {
            case QueueOutcome.Passed:
                return route;
            case QueueOutcome.Dispatched:
                // A base model's route as it is now (instances may have come or gone while it waited); a pinned one stays.
                return route.Parent is null && route.Adapter is null && request.PreviousResponseId is null && routes.Current.TryGet(route.Model, out var current)
                    ? (request.Operation.EngineApi is { } api ? current.ServingOnly(api) ?? route : current) : route;
            case QueueOutcome.Cancelled:
                // No engine saw it: nothing to charge.
                measurement.PromptEstimate = 0;
                ClientGone.Mark(context, measurement);
                return null;
            case QueueOutcome.Unavailable:
                await ProxyErrors.NoHealthyBackendAsync(context, route.Model);
                return null;
            default:
                outcomes.Rejected(context, key.Id, turn.Outcome.Label());
                await FlowControlErrors.RefusedAsync(context, route.Model, turn.Outcome);
                return null;
        }
    }

    /// <summary>Step 10: gives back what the request held, charging what it used, then tells the observers how it ended.</summary>
    private void Settle(HttpContext context, LimitTicket ticket, CompletionMeasurement? routed)
    {
        if (routed is null)
        {
            ticket.Complete(0);
            Observability.RequestTraceObserver.Refused(ApiOperation.Of(context).Name, context.Response.StatusCode);
            return;
        }
        routed.Status = routed.ClientGone ? CompletionMeasurement.ClientClosedRequest : context.Response.StatusCode;
        routed.Duration = Stopwatch.GetElapsedTime(routed.StartTimestamp);
        // First, so that no observer can keep a lease or a reservation from being given back.
        ticket.Complete(routed.TokensCharged);
        outcomes.Completed(context, routed);
    }
}
