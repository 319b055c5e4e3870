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
/// key, model, backend and status; duration and time to first token by model and backend; tokens by key and model;
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
    private readonly Counter<long> _rejections;
    private readonly Histogram<double> _overhead;
    private readonly Histogram<double> _estimateRatio;
    private readonly Histogram<double> _queueWait;

    public GatewayMetrics(IMeterFactory meterFactory, BackendPool pool, RouteRegistry routes, AccessLogWriter accessLog, FlowController flow)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("llmhost.gateway.requests", "{request}", "Requests forwarded to a backend, by key, model, backend and status.");
        _duration = meter.CreateHistogram<double>("llmhost.gateway.request.duration", "s", "Time from the request's arrival to the end of the answer.");
        _timeToFirstToken = meter.CreateHistogram<double>("llmhost.gateway.time_to_first_token", "s", "Time from the request's arrival to the first byte of the answer.");
        _interTokenLatency = meter.CreateHistogram<double>("llmhost.gateway.inter_token_latency", "s", "Mean time between the tokens of a streamed answer, one sample per request.");
        _tokens = meter.CreateCounter<long>("llmhost.gateway.tokens", "{token}", "Prompt and completion tokens, by key and model.");
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
        _duration.Record(measurement.Duration.TotalSeconds, byModel);
        if (measurement.Queue is { } queued)
        {
            _queueWait.Record(measurement.QueueTime.TotalSeconds, new TagList
            {
                { "model", measurement.Model }, { "priority", measurement.Priority.Label() }, { "outcome", queued.Label() },
            });
        }
        if (measurement.TimeToFirstToken is { } ttft && measurement.Status < 400)
        {
            _timeToFirstToken.Record(ttft.TotalSeconds, byModel);
        }
        if (measurement.InterTokenLatency is { } itl && measurement.Status < 400)
        {
            _interTokenLatency.Record(itl.TotalSeconds, byModel);
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
            _tokens.Add(measurement.PromptTokens, Tokens(keyId, measurement.Model, "prompt"));
        }
        if (measurement.CompletionTokens > 0)
        {
            _tokens.Add(measurement.CompletionTokens, Tokens(keyId, measurement.Model, "completion"));
        }
    }

    public void OnRejected(HttpContext context, RequestRejection rejection) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("key_id", rejection.KeyId), new KeyValuePair<string, object?>("reason", rejection.Reason));

    private static TagList Tokens(string keyId, string model, string type) =>
        new() { { "key_id", keyId }, { "model", model }, { "token_type", type } };

    private static IEnumerable<Measurement<int>> Each(BackendPool pool, Func<BackendInstance, int> value)
    {
        foreach (var instance in pool.All)
        {
            yield return new Measurement<int>(value(instance), new KeyValuePair<string, object?>("backend", instance.Name));
        }
    }

    // Status codes as cached strings: a label value per request without formatting an int each time.
    private static readonly string[] StatusTexts = Enumerable.Range(0, 600).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string StatusText(int status) => status is >= 0 and < 600 ? StatusTexts[status] : "other";
}
