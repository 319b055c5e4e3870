using System.Collections.Concurrent;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.ControlPlane;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Lifecycle;

/// <summary>
/// Puts engines to sleep and wakes them (vLLM sleep mode, backends with <c>sleep.enabled</c>). An instance being put
/// to sleep leaves the candidates first, and goes back to them if a request started on it meanwhile; one wake per
/// instance at a time, however many requests wait for it. Calls go through the control-plane pipelines.
/// </summary>
public sealed class EngineSleeper(EngineControl control, ILogger<EngineSleeper> logger)
{
    /// <summary>
    /// How long a sleep or wake call to the engine may take (a level-2 wake reloads the weights from disk); a request
    /// waits for a wake only <c>sleep.wake_timeout</c>, the wake goes on for the requests after it.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<EngineCallResult>>> _waking = new(StringComparer.Ordinal);

    public static bool CanSleep(BackendInstance instance) => instance.Backend.Sleep.Enabled && instance.Backend.Profile.Sleep is not null;

    /// <summary>
    /// Puts the instance to sleep at <paramref name="level"/>; refused when requests are in flight or it does not
    /// sleep. Not cancellable once begun: the instance must never be left half-changed.
    /// </summary>
    public async Task<EngineCallResult> SleepAsync(BackendInstance instance, int level, string reason)
    {
        if (!CanSleep(instance))
        {
            return new EngineCallResult(false, 409, $"backend '{instance.Backend.Name}' has sleep.enabled: false");
        }
        if (!instance.TrySetSleep(SleepState.Awake, SleepState.Changing))
        {
            return new EngineCallResult(instance.Sleep == SleepState.Sleeping, 409, $"the instance is {instance.Sleep.ToString().ToLowerInvariant()}");
        }
        // The forwarder counts a request in flight before it checks the state: one of the two sees the other.
        if (instance.Outstanding > 0)
        {
            instance.Sleep = SleepState.Awake;
            return new EngineCallResult(false, 409, $"{instance.Outstanding} request(s) in flight");
        }
        var result = new EngineCallResult(false, 500, "the sleep call did not finish");
        try
        {
            result = await CallAsync(instance, CallTimeout, (http, token) =>
                EngineSleepClient.SleepAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile.Sleep!, level, token));
        }
        finally
        {
            instance.SleepLevel = result.Succeeded ? level : instance.SleepLevel;
            instance.Sleep = result.Succeeded ? SleepState.Sleeping : SleepState.Awake;
        }
        if (result.Succeeded)
        {
            LifecycleLog.Slept(logger, instance.Name, level, reason);
        }
        else
        {
            LifecycleLog.SleepFailed(logger, instance.Name, result.Status, result.Message);
        }
        return result;
    }

    /// <summary>
    /// Wakes the instance (one wake at a time, shared by every caller). An instance the gateway believes awake is
    /// only asked again with <paramref name="force"/> (an admin's wake: the engine may have been put to sleep elsewhere).
    /// </summary>
    public Task<EngineCallResult> WakeAsync(BackendInstance instance, string reason, bool force = false)
    {
        if (instance.Sleep == SleepState.Awake && !force)
        {
            return Task.FromResult(new EngineCallResult(true, 200, "awake"));
        }
        var wake = _waking.GetOrAdd(instance.Name, _ => new Lazy<Task<EngineCallResult>>(() => WakeOnceAsync(instance, reason)));
        return wake.Value;
    }

    private async Task<EngineCallResult> WakeOnceAsync(BackendInstance instance, string reason)
    {
        try
        {
            // A sleep call still running finishes first (bounded by its own timeout): waking before it would leave the
            // engine asleep.
            var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(CallTimeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            while (instance.Sleep == SleepState.Changing && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20);
            }
            var previous = instance.Sleep;
            if (previous == SleepState.Changing || !instance.TrySetSleep(previous, SleepState.Changing))
            {
                return new EngineCallResult(false, 503, "the instance is being put to sleep or woken by another call");
            }
            // Level unknown (found asleep): the full level-2 steps, which also fit a level-1 sleep.
            var level = instance.SleepLevel is 1 ? 1 : 2;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = new EngineCallResult(false, 500, "the wake call did not finish");
            try
            {
                result = await CallAsync(instance, CallTimeout, (http, token) =>
                    EngineSleepClient.WakeAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile.Sleep!, level, token));
            }
            finally
            {
                instance.Sleep = result.Succeeded ? SleepState.Awake : previous == SleepState.Awake ? SleepState.Awake : SleepState.Sleeping;
            }
            if (result.Succeeded)
            {
                instance.MarkActive();
                LifecycleLog.Woke(logger, instance.Name, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, reason);
            }
            else
            {
                LifecycleLog.WakeFailed(logger, instance.Name, result.Status, result.Message);
            }
            return result;
        }
        finally
        {
            _waking.TryRemove(instance.Name, out _);
        }
    }

    /// <summary>Asks the engine whether it sleeps (an engine left asleep by an earlier run) and takes its word.</summary>
    public async Task SyncAsync(BackendInstance instance, CancellationToken cancellationToken)
    {
        if (!CanSleep(instance) || instance.Sleep == SleepState.Changing)
        {
            return;
        }
        try
        {
            bool? sleeping = null;
            await control.ReadAsync(instance.Name, async token => sleeping = await EngineSleepClient.IsSleepingAsync(
                control.Http, instance.Address, instance.ApiKey, instance.Backend.Profile.Sleep!, token), cancellationToken);
            if (sleeping is true && instance.TrySetSleep(SleepState.Awake, SleepState.Sleeping))
            {
                instance.SleepLevel = 0; // put to sleep elsewhere (the dashboard, an earlier run): level unknown
            }
            else if (sleeping is false)
            {
                instance.TrySetSleep(SleepState.Sleeping, SleepState.Awake);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            // The health probe reports an engine that does not answer.
        }
    }

    // One engine call through the instance's write pipeline; every failure becomes a result (never an exception).
    private async Task<EngineCallResult> CallAsync(BackendInstance instance, TimeSpan timeout, Func<HttpClient, CancellationToken, Task<EngineCallResult>> call)
    {
        try
        {
            return await control.WriteAsync(instance.Name, timeout, token => new ValueTask<EngineCallResult>(call(control.Http, token)), CancellationToken.None);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new EngineCallResult(false, 504, $"the engine did not answer within {timeout.TotalSeconds:0} s");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new EngineCallResult(false, 503, "the engine failed its recent calls: not called again until it has had time to recover");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return new EngineCallResult(false, 502, $"the engine could not be reached: {ex.Message}");
        }
    }
}
