using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace LlmHost.Gateway.ControlPlane;

/// <summary>
/// Every call the gateway makes to an engine that is not a client request — model discovery, health probes, adapter
/// loads and unloads — runs here, in a resilience pipeline per engine instance: reads get a timeout (inside the breaker, so a
/// hung engine counts as failing) and two retries with jittered backoff (they are idempotent); writes get only the caller's timeout (a load is never retried
/// blindly); both share the instance's circuit breaker, so a dead engine is not hammered and is tried again once it
/// has had time to come back. Polly's telemetry reports every retry, timeout and breaker change (meter <c>Polly</c>).
/// Client requests never pass through here: their path stays as lean as it was.
/// </summary>
public sealed class EngineControl(IHttpClientFactory httpClients, ResiliencePipelineRegistry<ControlPipelineKey> pipelines, TimeProvider time)
{
    public const string HttpClientName = "engine-control";

    /// <summary>Longest wait for one read (a model list, a health answer).</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long an open breaker rejects calls before it lets one through to test the engine.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _breakers = new(StringComparer.Ordinal);

    // The registry may run a pipeline's configuration twice when first calls race; a breaker's state provider accepts
    // one breaker only, so each instance's breaker is built exactly once, here.
    private readonly ConcurrentDictionary<string, Lazy<ResiliencePipeline>> _breakerPipelines = new(StringComparer.Ordinal);

    /// <summary>The HTTP client for engine calls (no timeout of its own: the pipelines time calls).</summary>
    public HttpClient Http => httpClients.CreateClient(HttpClientName);

    /// <summary>Whether the instance's breaker is open (or half-open: testing the engine with one call).</summary>
    public bool IsCircuitOpen(string instance) =>
        _breakers.TryGetValue(instance, out var state) && state.CircuitState is CircuitState.Open or CircuitState.Isolated or CircuitState.HalfOpen;

    /// <summary>An idempotent read: timed out, retried, behind the breaker. Throws when it finally fails.</summary>
    public ValueTask ReadAsync(string instance, Func<CancellationToken, ValueTask> call, CancellationToken cancellationToken) =>
        pipelines.GetOrAddPipeline(new ControlPipelineKey(instance, ControlCall.Read), (builder, _) => Timed(builder)
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    Delay = TimeSpan.FromMilliseconds(200),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                })
                .AddPipeline(Breaker(instance))
                .AddTimeout(ReadTimeout))
            .ExecuteAsync(call, cancellationToken);

    /// <summary>A call that changes the engine (a load, an unload): timed out, behind the breaker, never retried.</summary>
    public ValueTask<T> WriteAsync<T>(string instance, TimeSpan timeout, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken) =>
        pipelines.GetOrAddPipeline(new ControlPipelineKey(instance, ControlCall.Write), (builder, _) => Timed(builder).AddPipeline(Breaker(instance)))
            .ExecuteAsync(async token =>
            {
                using var timed = CancellationTokenSource.CreateLinkedTokenSource(token);
                timed.CancelAfter(timeout);
                try
                {
                    return await call(timed.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    throw new TimeoutRejectedException($"The engine did not answer within {timeout.TotalSeconds:0.#} s.", timeout);
                }
            }, cancellationToken);

    // One breaker per instance, shared by its reads and writes: connection failures and timeouts open it.
    private ResiliencePipeline Breaker(string instance)
    {
        var breaker = _breakerPipelines.GetOrAdd(instance, name => new Lazy<ResiliencePipeline>(() => BuildBreaker(name), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return breaker.Value;
        }
        catch
        {
            // A Lazy keeps its exception: forget it, so that the next call builds the breaker again.
            _breakerPipelines.TryRemove(new KeyValuePair<string, Lazy<ResiliencePipeline>>(instance, breaker));
            throw;
        }
    }

    private ResiliencePipeline BuildBreaker(string instance) =>
        pipelines.GetOrAddPipeline(new ControlPipelineKey(instance, ControlCall.Breaker), (builder, _) => Timed(builder).AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = BreakDuration,
            StateProvider = _breakers.GetOrAdd(instance, static _ => new CircuitBreakerStateProvider()),
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
        }));

    private ResiliencePipelineBuilder Timed(ResiliencePipelineBuilder builder)
    {
        builder.TimeProvider = time;
        return builder;
    }
}
