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
    /// <summary>How long a request already sent may take to show up as in flight before the engine is put to sleep.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, Lazy<Task<EngineCallResult>>> _waking = new(StringComparer.Ordinal);

    public static bool CanSleep(BackendInstance instance) => instance.Backend.Sleep.Enabled && instance.Backend.Profile.Sleep is not null;

    /// <summary>Puts the instance to sleep at <paramref name="level"/>; refused when requests are in flight or it does not sleep.</summary>
    public async Task<EngineCallResult> SleepAsync(BackendInstance instance, int level, string reason, CancellationToken cancellationToken)
    {
        if (!CanSleep(instance))
        {
            return new EngineCallResult(false, 409, $"backend '{instance.Backend.Name}' has sleep.enabled: false");
        }
        if (!instance.TrySetSleep(SleepState.Awake, SleepState.Changing))
        {
            return new EngineCallResult(instance.Sleep == SleepState.Sleeping, 409, $"the instance is {instance.Sleep.ToString().ToLowerInvariant()}");
        }
        await Task.Delay(Settle, cancellationToken);
        if (instance.Outstanding > 0)
        {
            instance.Sleep = SleepState.Awake;
            return new EngineCallResult(false, 409, $"{instance.Outstanding} request(s) in flight");
        }
        var result = await CallAsync(instance, instance.Backend.Sleep.WakeTimeout, (http, token) =>
            EngineSleepClient.SleepAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile.Sleep!, level, token), cancellationToken);
        instance.Sleep = result.Succeeded ? SleepState.Sleeping : SleepState.Awake;
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

    /// <summary>Wakes the instance (one wake at a time, shared by every caller); succeeds at once when it is awake.</summary>
    public Task<EngineCallResult> WakeAsync(BackendInstance instance, string reason)
    {
        if (instance.Sleep == SleepState.Awake)
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
            // A sleep call still running finishes first: waking before it would leave the engine asleep.
            while (instance.Sleep == SleepState.Changing)
            {
                await Task.Delay(20);
            }
            if (!instance.TrySetSleep(SleepState.Sleeping, SleepState.Changing))
            {
                return new EngineCallResult(instance.Sleep == SleepState.Awake, 200, "awake");
            }
            var level = instance.Backend.Sleep.Level;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await CallAsync(instance, instance.Backend.Sleep.WakeTimeout, (http, token) =>
                EngineSleepClient.WakeAsync(http, instance.Address, instance.ApiKey, instance.Backend.Profile.Sleep!, level, token), CancellationToken.None);
            instance.Sleep = result.Succeeded ? SleepState.Awake : SleepState.Sleeping;
            if (result.Succeeded)
            {
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
            if (sleeping is { } asleep)
            {
                instance.TrySetSleep(asleep ? SleepState.Awake : SleepState.Sleeping, asleep ? SleepState.Sleeping : SleepState.Awake);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            // The health probe reports an engine that does not answer.
        }
    }

    private async Task<EngineCallResult> CallAsync(BackendInstance instance, TimeSpan timeout, Func<HttpClient, CancellationToken, Task<EngineCallResult>> call,
        CancellationToken cancellationToken)
    {
        try
        {
            return await control.WriteAsync(instance.Name, timeout, token => new ValueTask<EngineCallResult>(call(control.Http, token)), cancellationToken);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            return new EngineCallResult(false, 504, $"the engine did not answer within {timeout.TotalSeconds:0} s");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException)
        {
            return new EngineCallResult(false, 503, "the engine failed its recent calls: not called again until it has had time to recover");
        }
        catch (HttpRequestException ex)
        {
            return new EngineCallResult(false, 502, $"the engine could not be reached: {ex.Message}");
        }
    }
}
