using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Routing.Prefix;
using LlmHost.Gateway.Routing.Sessions;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The forwarding step of the request path: picks an instance of the route, rewrites the body for it, sends it with
/// YARP's forwarder while the answer is metered on its way to the client; retries once on another instance when
/// the first refused the connection (nothing is retried once the request reached a backend); answers failures.
/// </summary>
public sealed class BackendForwarder(IHttpForwarder forwarder, ForwarderClient client, IOptionsMonitor<LlmHostConfig> config, SessionPins sessions, ILogger<BackendForwarder> logger)
{
    private const int MaxAttempts = 2;

    // One transformer per instance, made when the instance is first used, forgotten with it.
    private readonly ConditionalWeakTable<BackendInstance, BackendTransformer> _transformers = [];

    public async Task ForwardAsync(HttpContext context, InspectedRequest request, RouteEntry route, CompletionMeasurement measurement)
    {
        var injectUsage = BodyRewriter.NeedsUsageInjection(request);
        var clientBody = context.Response.Body;
        await using var metering = new MeteringStream(clientBody, context.Response, measurement, stripUsageChunk: injectUsage);
        context.Response.Body = metering;
        try
        {
            var excluded = -1;
            var routing = config.CurrentValue.Routing;
            var policy = routing.PolicyFor(route.Model, route.Parent);
            using var chunks = policy == RoutingPolicy.PrefixAware ? ChunksOf(request, routing.Prefix) : default;
            var affinity = routing.SessionAffinity;
            var session = affinity.AppliesTo(route.Model) ? SessionOf(context, request, route.Model, affinity) : null;
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                var pinned = session is { } named ? BackendSelector.PickPinned(route.Instances, sessions.Find(named, affinity.IdleExpiry), routing.Prefix, excluded) : -1;
                var index = pinned >= 0 ? pinned
                    : policy is RoutingPolicy.PrefixAware or RoutingPolicy.LoadAware && route.Parent is not null
                    ? BackendSelector.PickForAdapter(route.Instances, route.Model, routing.Prefix, excluded)
                    : policy == RoutingPolicy.PrefixAware
                        ? BackendSelector.PickByPrefix(route.Instances, chunks.Hashes, routing.Prefix, excluded)
                        : BackendSelector.Pick(route, policy, excluded);
                if (routing.FlowControl.Enabled && index >= 0 && Saturation.RoomOf(route.Instances[index], routing.FlowControl) == 0
                    && Saturation.PickWithRoom(route.Instances, routing.FlowControl, excluded) is >= 0 and var roomy)
                {
                    // Late binding: the policy's choice is saturated, another instance has room.
                    index = roomy;
                }
                if (index < 0)
                {
                    await (attempt == 1 ? ProxyErrors.NoHealthyBackendAsync(context, route.Model) : ProxyErrors.BackendFailedAsync(context, measurement.Backend!));
                    return;
                }
                var instance = route.Instances[index];
                (measurement.Backend, measurement.Attempts) = (instance.Name, attempt);
                (measurement.Provider, measurement.ServerHost, measurement.ServerPort) = (instance.Backend.Profile.Name, instance.Host, instance.Port);
                if (chunks.Count > 0)
                {
                    instance.Prefixes.Record(chunks.Hashes);
                }
                if (session is { } sessionHash)
                {
                    sessions.Pin(sessionHash, instance.Name, affinity.MaxSessions);
                }
                var started = Stopwatch.GetTimestamp();
                if (routing.FlowControl is { Enabled: true, MaxPrefillTokensPerInstance: > 0 })
                {
                    measurement.Prefill = instance.Prefill.Begin(PrefillTokens(request, measurement), request.Stream);
                }
                ForwardOutcome sent;
                // An adapter's requests in flight on the instance keep it from being evicted there.
                var adapterUse = route.Parent is null ? null : instance.HeldAdapters.Use(route.Model);
                try
                {
                    if (adapterUse?.TryBegin() == false)
                    {
                        adapterUse = null;
                        sent = ForwardOutcome.AdapterGone;
                    }
                    else if (BeginSend(context, request, instance, UpstreamModel(request, route, index), injectUsage) is not { } transformer)
                    {
                        sent = ForwardOutcome.Asleep;
                    }
                    else
                    {
                        // Awaited here, not in a method of its own: one async step (and its task) less a request.
                        try
                        {
                            var error = await forwarder.SendAsync(context, instance.Address, client.Invoker, client.RequestConfig(request.Stream), transformer);
                            sent = Sent(context, instance, error);
                        }
                        finally
                        {
                            instance.Leave();
                        }
                    }
                }
                finally
                {
                    adapterUse?.End();
                    measurement.Prefill?.End();
                    measurement.Prefill = null;
                }
                if (sent.AdapterMoved)
                {
                    // Its adapter was being unloaded there: another instance, if there is one.
                    if (excluded >= 0 || route.Instances.Length == 1)
                    {
                        await ProxyErrors.AdapterMovingAsync(context, route.Model);
                        return;
                    }
                    (excluded, attempt) = (index, attempt - 1);
                    continue;
                }
                measurement.UpstreamTime += Stopwatch.GetElapsedTime(started);
                if (!sent.RequestNotSent || attempt == MaxAttempts || context.Response.HasStarted || request.IsReleased)
                {
                    await ReportFailureAsync(context, instance, sent, measurement);
                    return;
                }
                ProxyLog.RetryingOnAnotherBackend(logger, instance.Name, route.Model);
                ResetForRetry(context);
                excluded = index;
            }
        }
        finally
        {
            await metering.CompleteAsync(CancellationToken.None);
            context.Response.Body = clientBody;
        }
    }

    /// <summary>
    /// Sends a bodiless request (a stored response's retrieval, cancellation or deletion) to one given instance — no
    /// other: the state it asks about lives there — and answers failures.
    /// </summary>
    public async Task RelayAsync(HttpContext context, BackendInstance instance)
    {
        context.Request.Body = Stream.Null;
        context.Request.ContentLength = HttpMethods.IsPost(context.Request.Method) ? 0 : null;
        instance.Enter();
        try
        {
            var transformer = TransformerFor(instance);
            var error = await forwarder.SendAsync(context, instance.Address, client.Invoker, client.RequestConfig(stream: false), transformer);
            await ReportFailureAsync(context, instance, Sent(context, instance, error), null);
        }
        finally
        {
            instance.Leave();
        }
    }

    // The session a request belongs to: the header's value, else (when allowed) the body's short `user` string — hashed
    // with the API key and the model, so that no tenant can steer another's sessions and no client string is kept.
    private static ulong? SessionOf(HttpContext context, InspectedRequest request, string model, SessionAffinitySettings affinity)
    {
        ulong seed = XxHash64.HashToUInt64(MemoryMarshal.AsBytes((context.GetApiKey()?.Id ?? "").AsSpan()));
        seed = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(model.AsSpan()), unchecked((long)seed));
        if (affinity.Header is { } header && context.Request.Headers[header] is { Count: > 0 } values
            && values[0] is { Length: > 0 and <= RequestInspector.MaxSessionNameBytes } name)
        {
            return XxHash64.HashToUInt64(MemoryMarshal.AsBytes(name.AsSpan()), unchecked((long)seed));
        }
        if (affinity.UserField && request.UserSpan.Length > 2)
        {
            return XxHash64.HashToUInt64(request.Body.Span.Slice(request.UserSpan.Start, request.UserSpan.Length), unchecked((long)seed) ^ 1);
        }
        return null;
    }

    // The prompt's chunk hashes, salted with the model (as the body names it): an engine caches per model and adapter.
    private static PromptChunks ChunksOf(InspectedRequest request, PrefixRoutingSettings settings)
    {
        var body = request.Body.Span;
        return PromptChunks.Of(body.Slice(request.PromptSpan.Start, request.PromptSpan.Length),
            body.Slice(request.ModelSpan.Start, request.ModelSpan.Length), settings.ChunkBytes, settings.MaxChunks);
    }

    // The prompt's tokens as counted for the key's token limit, else about four bytes of the body a token.
    private static long PrefillTokens(InspectedRequest request, CompletionMeasurement measurement) =>
        measurement.PromptEstimate > 0 ? measurement.PromptEstimate : request.Length / 4 + request.ConversationTokens;

    // The model the engine is asked for: the route's form of it, or — for an adapter chosen through an engine field —
    // its name, where vLLM needs it.
    private static string? UpstreamModel(InspectedRequest request, RouteEntry route, int index) =>
        route.UpstreamModels[index] ?? (request.Adapter is not null ? route.Model : null);

    // Readies the request for the instance (its body rewritten) and counts it in flight there; null (and not in flight)
    // when the instance is being put to sleep since it was picked. In flight first, then checked, so that the sleeper
    // sees the one or this sees the other.
    private BackendTransformer? BeginSend(HttpContext context, InspectedRequest request, BackendInstance instance, string? upstreamModel, bool injectUsage)
    {
        var enginePriority = instance.Backend.PriorityScheduling && request.Priority is { } priority ? priority.EngineValue() : (int?)null;
        var rewritten = BodyRewriter.Rewrite(request, upstreamModel, injectUsage, enginePriority);
        context.Request.Body = rewritten ?? request.OpenBody();
        context.Request.ContentLength = rewritten?.Length ?? request.Length;
        var transformer = TransformerFor(instance);
        instance.Enter();
        request.ReleaseGrant();
        if (instance.Sleep != SleepState.Awake)
        {
            instance.Leave();
            return null;
        }
        return transformer;
    }

    // How the send ended, told to the instance's passive health.
    private ForwardOutcome Sent(HttpContext context, BackendInstance instance, ForwarderError error)
    {
        var outcome = new ForwardOutcome(error, context.Response.StatusCode, error == ForwarderError.Request && NeverReachedBackend(context));
        if (!outcome.IsBackendFailure)
        {
            instance.Health.RecordSuccess();
        }
        else if (instance.Health.RecordFailure())
        {
            ProxyLog.BackendEjected(logger, instance.Name, PassiveHealth.FailureThreshold);
        }
        return outcome;
    }

    private async Task ReportFailureAsync(HttpContext context, BackendInstance instance, ForwardOutcome outcome, CompletionMeasurement? measurement)
    {
        if (outcome.Error == ForwarderError.None)
        {
            return;
        }
        if (outcome.IsClientGone || context.RequestAborted.IsCancellationRequested)
        {
            // Routine, and nobody is left to answer.
            ProxyLog.ClientWentAway(logger, instance.Name, outcome.Error.ToString());
            ClientGone.Mark(context, measurement);
            return;
        }
        ProxyLog.ForwardFailed(logger, instance.Name, outcome.Error.ToString(), context.GetForwarderErrorFeature()?.Exception);
        await (outcome.Error == ForwarderError.RequestTimedOut
            ? ProxyErrors.BackendTimeoutAsync(context, instance.Name)
            : ProxyErrors.BackendFailedAsync(context, instance.Name));
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

    // The lookup first: the factory's closure is only made for an instance seen for the first time.
    private BackendTransformer TransformerFor(BackendInstance instance) =>
        _transformers.TryGetValue(instance, out var transformer)
            ? transformer
            : _transformers.GetValue(instance, i => new BackendTransformer(i.ApiKey, i.Name, client, logger));
}
