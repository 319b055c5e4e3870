using System.Collections.Concurrent;
using System.Diagnostics;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// Flow control (<c>routing.flow_control</c>): a request for a model whose instances are all saturated (see
/// <see cref="Saturation"/>) waits in the model's <see cref="FlowQueue"/> and is let through when an instance has room
/// again — on a request's end, on each new arrival and every <see cref="FlowPump.Interval"/> (engine reads) — to be
/// routed then by the model's policy (late binding). Bounded by the queue lengths and <c>queue_timeout</c>.
/// </summary>
public sealed class FlowController(IOptionsMonitor<LlmHostConfig> config, RouteRegistry? routes = null, IConnectionMultiplexer? redis = null)
{
    private readonly ConcurrentDictionary<string, FlowQueue> _queues = new(StringComparer.Ordinal);
    private int _waiting;

    public FlowControlSettings Settings => config.CurrentValue.Routing.FlowControl;

    /// <summary>Whether any request waits (the pump has nothing to do otherwise).</summary>
    public bool AnyWaiting => Volatile.Read(ref _waiting) > 0;

    /// <summary>Every model's queue (created on its first request while flow control is on).</summary>
    public IEnumerable<KeyValuePair<string, FlowQueue>> Queues => _queues;

    /// <summary>Requests waiting, per model that has a route (or still has requests waiting).</summary>
    public IEnumerable<KeyValuePair<string, int>> Lengths()
    {
        foreach (var (model, queue) in _queues)
        {
            if (queue.Count > 0 || routes is null || routes.Current.TryGet(model, out _))
            {
                yield return new(model, queue.Count);
            }
        }
    }

    /// <summary>
    /// Waits until the request may be sent; at once when flow control is off, nobody waits and an instance has room,
    /// or no instance is available (the forwarder answers that). The outcome says whether it proceeds.
    /// </summary>
    public async ValueTask<FlowTurn> WaitTurnAsync(RouteEntry route, string keyId, int weight, RequestPriority priority, CancellationToken cancellationToken)
    {
        var settings = Settings;
        if (!settings.Enabled || !Saturation.AnyAvailable(route.Instances))
        {
            return new FlowTurn(QueueOutcome.Passed, TimeSpan.Zero);
        }
        var queue = _queues.GetOrAdd(route.Model, static (_, state) => new FlowQueue(state.route, state.shared), (route, shared: redis is not null));
        queue.Route = route;
        if (queue.TryPass(Saturation.RoomOf(route.Instances, settings), keyId, weight, priority, settings.Headroom))
        {
            return new FlowTurn(QueueOutcome.Passed, TimeSpan.Zero, queue);
        }
        if (queue.Enqueue(keyId, weight, priority, settings.MaxQueued, settings.MaxQueuedPerKey, out var refusal) is not { } waiting)
        {
            return new FlowTurn(refusal, TimeSpan.Zero);
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            // Room may have come between the check and the queueing.
            queue.Dispatch(Saturation.RoomOf(route.Instances, settings), settings.StarvationAfter, settings.Headroom);
            await waiting.Turn.WaitAsync(settings.QueueTimeout, cancellationToken);
            return new FlowTurn(QueueOutcome.Dispatched, Stopwatch.GetElapsedTime(waiting.Since), queue);
        }
        catch (Exception ex) when (ex is not (TimeoutException or OperationCanceledException))
        {
            // Never left behind: a request that fails here leaves its place (or gives its grant back).
            if (!queue.TryRemove(waiting))
            {
                queue.Sent();
                queue.Ended(keyId);
            }
            throw;
        }
        catch (Exception ex)
        {
            var waited = Stopwatch.GetElapsedTime(waiting.Since);
            if (!queue.TryRemove(waiting))
            {
                // Let through as it gave up: timed out at the last moment, it proceeds; gone, its grant goes back.
                if (ex is TimeoutException)
                {
                    return new FlowTurn(QueueOutcome.Dispatched, waited, queue);
                }
                queue.Sent();
                queue.Ended(keyId);
            }
            Pump();
            return new FlowTurn(ex is OperationCanceledException ? QueueOutcome.Cancelled
                : Saturation.AnyAvailable(route.Instances) ? QueueOutcome.TimedOut : QueueOutcome.Unavailable, waited);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Lets waiting requests through where their instances have room (after a request ends, on the pump's tick).</summary>
    public void Pump()
    {
        if (!AnyWaiting)
        {
            return;
        }
        var settings = Settings;
        foreach (var (model, queue) in _queues)
        {
            if (queue.Count > 0)
            {
                // The model's instances as routed now (discovery may have changed them since the request arrived).
                var instances = routes is not null && routes.Current.TryGet(model, out var current) && current.Adapter is null
                    ? current.Instances : queue.Route.Instances;
                queue.Dispatch(Saturation.RoomOf(instances, settings), settings.StarvationAfter, settings.Headroom);
            }
        }
    }
}

/// <summary>
/// How a request went through flow control, and how long it waited. A request let through holds a grant of
/// <see cref="Queue"/> (counted against the instances' room) until it is in flight on an instance or gives up: then
/// <see cref="FlowQueue.Sent"/>, once; and counts as its key's in flight until it ends: then <see cref="FlowQueue.Ended"/>.
/// </summary>
public readonly record struct FlowTurn(QueueOutcome Outcome, TimeSpan Waited, FlowQueue? Queue = null);
