using System.Diagnostics;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// The saturation detector: how many more requests an instance should be sent now. An engine with nothing waiting and
/// room in its KV cache takes any number; once its last <c>/metrics</c> read shows requests waiting (or a nearly full
/// KV cache), it takes only what keeps its queue under <c>queue_depth_threshold</c> — counting the requests the gateway
/// sent since that read as waiting, and those that ended since as freed slots, so that dispatch follows completions
/// between reads. A stale or failed read leaves the gateway's own cap (<c>max_in_flight_per_instance</c>) in charge.
/// </summary>
public static class Saturation
{
    /// <summary>Room of an instance that nothing limits.</summary>
    public const int Unlimited = int.MaxValue / 64;

    public static int RoomOf(BackendInstance instance, FlowControlSettings settings)
    {
        if (!instance.Available)
        {
            return 0;
        }
        var room = Unlimited;
        var inFlight = instance.Outstanding;
        if (settings.MaxInFlightPerInstance > 0)
        {
            room = settings.MaxInFlightPerInstance - inFlight;
        }
        if (settings.MaxPrefillTokensPerInstance > 0)
        {
            room = Math.Min(room, instance.Prefill.Room(settings.MaxPrefillTokensPerInstance));
        }
        if (instance.Load is { } load && Stopwatch.GetElapsedTime(load.ReadAt) < BackendSelector.LoadFreshFor
            && (load.Waiting > 0 || load.KvCacheUsage >= settings.KvCacheThreshold))
        {
            // Each request sent since joined the queue; each that ended let a waiting one start.
            var waiting = Math.Max(0, load.Waiting + inFlight - load.InFlightAtRead);
            room = Math.Min(room, (int)Math.Floor(settings.QueueDepthThreshold - waiting));
        }
        return Math.Max(0, room);
    }

    /// <summary>The room of every available instance together (at most <see cref="Unlimited"/>).</summary>
    public static int RoomOf(BackendInstance[] instances, FlowControlSettings settings)
    {
        long room = 0;
        foreach (var instance in instances)
        {
            room += RoomOf(instance, settings);
        }
        return (int)Math.Min(room, Unlimited);
    }

    /// <summary>Whether any instance is available at all (a request with none is answered 503 rather than queued).</summary>
    public static bool AnyAvailable(BackendInstance[] instances)
    {
        foreach (var instance in instances)
        {
            if (instance.Available)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The instance with the most room (a dispatched request whose policy chose a saturated one goes there); -1 when none has room.</summary>
    public static int PickWithRoom(BackendInstance[] instances, FlowControlSettings settings, int excluded = -1)
    {
        int best = -1, bestRoom = 0;
        for (var i = 0; i < instances.Length; i++)
        {
            var room = i == excluded ? 0 : RoomOf(instances[i], settings);
            if (room > bestRoom || (room == bestRoom && room > 0 && instances[i].Outstanding < instances[best].Outstanding))
            {
                (best, bestRoom) = (i, room);
            }
        }
        return best;
    }
}
