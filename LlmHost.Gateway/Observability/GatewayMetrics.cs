using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability.AccessLogging;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// The gateway's own metrics (meter <c>LlmHost.Gateway</c>), fed by the one measurement of each request: requests by
/// key, model, backend and status; OpenTelemetry's GenAI server metrics (request duration, time to first token, time
/// per output token) by operation, provider, model and error type; tokens by key, model and token type;
/// rejections by key and reason; the gateway's own overhead; the prompt estimate's error; and, observed at scrape time, each backend instance's requests in flight and health.
/// Labels are bounded: key ids (never secrets), models that have a route, backend instance names.
/// </summary>
public sealed class GatewayMetrics : IRequestObserver
{
    public const string MeterName = "LlmHost.Gateway";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Counter<long> _tokens;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _overhead;
    private readonly Histogram<double> _estimateRatio;
    private readonly Histogram<double> _queueWait;

    public GatewayMetrics(IMeterFactory meterFactory, BackendPool pool, RouteRegistry routes, AccessLogWriter accessLog, FlowController flow)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("llmhost.gateway.requests", "{request}", "Requests forwarded to a backend, by key, model, backend and status.");
        // OpenTelemetry's GenAI server metrics, with the conventions' bucket boundaries.
        _duration = meter.CreateHistogram("gen_ai.server.request.duration", "s", "Time from the request's arrival to the end of the answer.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        _timeToFirstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s", "Time from the request's arrival to the first byte of a successful answer.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] });
        _interTokenLatency = meter.CreateHistogram("gen_ai.server.time_per_output_token", "s", "Mean time per output token after the first of a successful stream, one sample per request.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5] });
        _tokens = meter.CreateCounter<long>("llmhost.gateway.tokens", "{token}", "Input and output tokens (gen_ai.token.type), by key and model.");
        _tokenUsage = meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Input and output tokens of each answered request (the gateway is the engine's client).",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });
        _rejections = meter.CreateCounter<long>("llmhost.gateway.rejections", "{request}", "Requests the gateway refused for a key, by reason.");
        _overhead = meter.CreateHistogram("llmhost.gateway.overhead", "s", "Time spent in the gateway outside the backend call: reading, authenticating, admitting, routing, settling.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1] });
        _estimateRatio = meter.CreateHistogram("llmhost.gateway.prompt_estimate.ratio", "1", "The gateway's prompt token estimate over the prompt tokens the backend reported.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5, 2, 3] });
        _queueWait = meter.CreateHistogram("llmhost.gateway.queue.wait", "s",
            "Time requests waited for saturated engines (flow control), by model, priority and outcome (passed, dispatched, queue_full, key_queue_full, queue_timeout, unavailable, cancelled).",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        meter.CreateObservableGauge("llmhost.gateway.queue.length", () => QueueLengths(flow), "{request}", "Requests waiting for saturated engines, per model.");
        meter.CreateObservableGauge("llmhost.gateway.backend.in_flight", () => Each(pool, i => i.Outstanding), "{request}", "Requests in flight per backend instance.");
        meter.CreateObservableGauge("llmhost.gateway.backend.available", () => Each(pool, i => i.Available ? 1 : 0), "1", "1 when the instance takes requests (reachable, not ejected, awake).");
        meter.CreateObservableGauge("llmhost.gateway.backend.sleeping", () => Each(pool, i => i.Sleep == SleepState.Awake ? 0 : 1), "1",
            "1 while the instance's engine sleeps (or is being put to sleep or woken): the next request for its model wakes it.");
        meter.CreateObservableGauge("llmhost.gateway.models", () => routes.Current.Count, "{model}", "Models in the routing table.");
        meter.CreateObservableCounter("llmhost.gateway.access_log.dropped", () => DroppedLines(accessLog), "{line}",
            "Access-log lines dropped: the disk could not keep up (reason backlog), or unauthenticated requests beyond 200 lines a second (reason unauthenticated).");
    }

    private static IEnumerable<Measurement<int>> QueueLengths(FlowController flow)
    {
        foreach (var (model, length) in flow.Lengths())
        {
            yield return new(length, new KeyValuePair<string, object?>("model", model));
        }
    }

    private static Measurement<long>[] DroppedLines(AccessLogWriter accessLog) =>
    [
        new(accessLog.Dropped, new KeyValuePair<string, object?>("reason", "backlog")),
        new(accessLog.UnauthenticatedDropped, new KeyValuePair<string, object?>("reason", "unauthenticated")),
    ];

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement)
    {
        var keyId = context.GetApiKey()?.Id ?? "none";
        var backend = measurement.Backend ?? "none";
        _requests.Add(1,
            new KeyValuePair<string, object?>("key_id", keyId),
            new KeyValuePair<string, object?>("model", measurement.Model),
            new KeyValuePair<string, object?>("backend", backend),
            new KeyValuePair<string, object?>("status_code", StatusText(measurement.Status)));
        var byModel = new TagList { { "model", measurement.Model }, { "backend", backend } };
        var genAi = new TagList { { "gen_ai.operation.name", measurement.Operation }, { "gen_ai.request.model", measurement.Model } };
        if (measurement.Provider is { } provider)
        {
            genAi.Add("gen_ai.provider.name", provider);
        }
        if (measurement.Status >= 400)
        {
            genAi.Add("error.type", StatusText(measurement.Status));
            if (measurement.Status >= 500)
            {
                // ASP.NET Core's http.server.request.duration tags only the failures that threw.
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMetricsTagsFeature>()?.Tags.Add(new("error.type", StatusText(measurement.Status)));
            }
        }
        _duration.Record(measurement.Duration.TotalSeconds, genAi);
        if (measurement.Queue is { } queued)
        {
            _queueWait.Record(measurement.QueueTime.TotalSeconds, new TagList
            {
                { "model", measurement.Model }, { "priority", measurement.Priority.Label() }, { "outcome", queued.Label() },
            });
        }
        // Streams only: the first byte of an unstreamed answer is the whole answer, not its first token.
        if (measurement.Stream && measurement.TimeToFirstToken is { } ttft && measurement.Status < 400)
        {
            _timeToFirstToken.Record(ttft.TotalSeconds, genAi);
        }
        if (measurement.InterTokenLatency is { } itl && measurement.Status < 400)
        {
            _interTokenLatency.Record(itl.TotalSeconds, genAi);
        }
        if (measurement.UpstreamTime > TimeSpan.Zero)
        {
            _overhead.Record((measurement.Duration - measurement.UpstreamTime - measurement.QueueTime).TotalSeconds, byModel);
        }
        if (measurement.PromptEstimate > 0 && measurement.ReportedPromptTokens is > 0 and var reported)
        {
            _estimateRatio.Record(measurement.PromptEstimate / (double)reported, new KeyValuePair<string, object?>("model", measurement.Model));
        }
        if (measurement.PromptTokens > 0)
        {
            _tokens.Add(measurement.PromptTokens, Tokens(keyId, measurement.Model, "input"));
        }
        if (measurement.CompletionTokens > 0)
        {
            _tokens.Add(measurement.CompletionTokens, Tokens(keyId, measurement.Model, "output"));
        }
        if (measurement.Source != UsageSource.None && measurement.Status < 400)
        {
            genAi.Add("gen_ai.token.type", "input");
            _tokenUsage.Record(measurement.PromptTokens, genAi);
            genAi[genAi.Count - 1] = new("gen_ai.token.type", "output");
            _tokenUsage.Record(measurement.CompletionTokens, genAi);
        }
    }

    public void OnRejected(HttpContext context, RequestRejection rejection) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("key_id", rejection.KeyId), new KeyValuePair<string, object?>("reason", rejection.Reason));

    private static TagList Tokens(string keyId, string model, string type) =>
        new() { { "key_id", keyId }, { "model", model }, { "gen_ai.token.type", type } };

    private static IEnumerable<Measurement<int>> Each(BackendPool pool, Func<BackendInstance, int> value)
    {
        foreach (var instance in pool.All)
        {
            yield return new Measurement<int>(value(instance), new KeyValuePair<string, object?>("backend", instance.Name));
        }
    }

    private static string StatusText(int status) => StatusTexts.Of(status);
}
