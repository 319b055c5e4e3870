using System.Diagnostics;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// One model's waiting requests: a class per priority, in each class one first-come-first-served line per key, and the
/// keys served in turn — <c>weight</c> requests a turn (weighted round robin), so that a key's flood only lengthens
/// its own line. The highest class with requests goes first; a lower class whose oldest request has waited
/// <c>starvation_after</c> gets one dispatch in <see cref="StarvationShare"/> (its longest-waiting one first), so it
/// moves without taking over. Requests let through but not yet sent (<see cref="Granted"/>) count against the room.
/// When the replicas share their turns (Redis) and the engines' room is limited, a key too far ahead of the least-served
/// key of its class waiting on any replica is passed over here, and a class waits while a higher one waits on another
/// replica (see <see cref="SharedTurns"/>).
/// </summary>
public sealed class FlowQueue
{
    public const int MaxWeight = 100;

    /// <summary>A starving lower class gets one dispatch in this many while higher classes wait.</summary>
    public const int StarvationShare = 4;

    private readonly Lock _lock = new();
    private readonly PriorityClass[] _classes;
    private readonly Dictionary<string, int> _perKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    // _keysWith[n]: how many keys have n requests in flight (n ≥ 1); _mostInFlight: the largest such n.
    private readonly List<int> _keysWith = [0];
    private int _mostInFlight;
    private int _count;
    private int _granted;
    private int _passedOver = StarvationShare - 1;
    // The same count for a class held for a higher one waiting on another replica.
    private int _passedOverForOthers;

    /// <param name="route">The model's route.</param>
    /// <param name="shared">Whether the replicas share their turns (each class's, through <see cref="SharedTurnsSync"/>).</param>
    public FlowQueue(RouteEntry route, bool shared = false)
    {
        Route = route;
        _classes = [new(shared ? new() : null), new(shared ? new() : null), new(shared ? new() : null)];
    }

    /// <summary>The route the latest request came with (instances change with discovery).</summary>
    public RouteEntry Route { get; set; }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Let through, not yet sent.</summary>
    public int Granted => Volatile.Read(ref _granted);

    /// <summary>Lets a request through at once when nobody waits, the instances have room and the key is not held back; true then.</summary>
    public bool TryPass(int room, string keyId, int weight, RequestPriority priority = RequestPriority.Default, int headroom = 0)
    {
        lock (_lock)
        {
            // With nobody queued here, the shared turns hold a key back only while the engines' room is limited
            // (saturation or a cap): an engine with room is not left idle for want of a queue. They count a turn then,
            // or while a key of the class waits anywhere. A queued request (Dispatch) is always subject to them.
            var shared = _classes[(int)priority].Shared;
            var limited = room < Saturation.Unlimited;
            if (_count > 0 || room <= _granted || (room - _granted <= headroom && !IsLight(keyId))
                || (limited && shared is not null && (HigherClassWaits((int)priority) || shared.IsAhead(keyId))))
            {
                return false;
            }
            _granted++;
            if (shared is not null && (limited || shared.SomeoneWaits))
            {
                shared.Took(keyId, weight);
            }
            Started(keyId);
            return true;
        }
    }

    /// <summary>A request let through (passed or dispatched) ended: its key has one fewer in flight.</summary>
    public void Ended(string keyId)
    {
        lock (_lock)
        {
            ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_inFlight, keyId);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref count))
            {
                return;
            }
            _keysWith[count]--;
            if (count == _mostInFlight && _keysWith[count] == 0)
            {
                _mostInFlight--; // the key that had the most now has one fewer: nobody has more than that
            }
            if (--count == 0)
            {
                _inFlight.Remove(keyId);
            }
            else
            {
                _keysWith[count]++;
            }
        }
    }

    /// <summary>The key's requests let through and not yet ended.</summary>
    public int InFlightOf(string keyId)
    {
        lock (_lock)
        {
            return _inFlight.GetValueOrDefault(keyId);
        }
    }

    private void Started(string keyId)
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_inFlight, keyId, out _);
        if (count > 0)
        {
            _keysWith[count]--;
        }
        count++;
        if (count == _keysWith.Count)
        {
            _keysWith.Add(0);
        }
        _keysWith[count]++;
        _mostInFlight = Math.Max(_mostInFlight, count);
    }

    // Whether the key may take the headroom: it has nothing in flight, or less than the key with the most.
    private bool IsLight(string keyId)
    {
        var own = _inFlight.GetValueOrDefault(keyId);
        return own == 0 || own < _mostInFlight;
    }

    /// <summary>Per priority class: its turns as the replicas share them (null when not shared) and the keys waiting in it here.</summary>
    public (RequestPriority Priority, SharedTurns? Shared, string[] Waiting)[] Classes()
    {
        lock (_lock)
        {
            var classes = new (RequestPriority, SharedTurns?, string[])[_classes.Length];
            for (var c = 0; c < _classes.Length; c++)
            {
                classes[c] = ((RequestPriority)c, _classes[c].Shared, _classes[c].WaitingKeys());
            }
            return classes;
        }
    }

    /// <summary>Queues a request; null (and why) when the model's or the key's line is full.</summary>
    internal QueuedRequest? Enqueue(string keyId, int weight, RequestPriority priority, int maxQueued, int maxQueuedPerKey, out QueueOutcome refusal)
    {
        lock (_lock)
        {
            _perKey.TryGetValue(keyId, out var ofKey);
            if (_count >= maxQueued || ofKey >= maxQueuedPerKey)
            {
                refusal = _count >= maxQueued ? QueueOutcome.Full : QueueOutcome.KeyFull;
                return null;
            }
            refusal = QueueOutcome.Dispatched;
            var line = _classes[(int)priority].LineOf(keyId);
            line.Weight = Math.Clamp(weight, 1, MaxWeight);
            if (line.Waiting.Count == 0)
            {
                line.Credits = line.Weight;
            }
            var request = new QueuedRequest(line, priority);
            request.Node = line.Waiting.AddLast(request);
            _perKey[keyId] = ofKey + 1;
            _count++;
            return request;
        }
    }

    /// <summary>Lets waiting requests through while <paramref name="room"/> exceeds those let through and not yet sent.</summary>
    /// <param name="room">How many more requests the model's instances take now.</param>
    /// <param name="starvationAfter">How long a lower class waits before it gets one dispatch in four.</param>
    /// <param name="headroom">The last units of room, kept for keys that are not the heaviest in flight.</param>
    public int Dispatch(int room, TimeSpan starvationAfter, int headroom = 0)
    {
        var dispatched = 0;
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            // Queued here means contended: even a burst let through by an engine read with room (unlimited) keeps to
            // the shared turns, or one replica's queue would pour a key's whole backlog into the engines' own queues.
            while (_count > 0 && room > _granted)
            {
                var lightOnly = room - _granted <= headroom;
                var chosen = ClassToServe(now, starvationAfter, out var starving);
                if (!starving && HigherClassWaits(chosen) && !StarvingAgainstOtherReplicas(chosen, now, starvationAfter))
                {
                    break; // a higher class waits on another replica: the room goes there
                }
                var served = _classes[chosen];
                var request = served.TakeNext(this, lightOnly, out var heldForOthers);
                if (request is null && !heldForOthers)
                {
                    // Only the headroom held the class back: a light key of another class may take it.
                    request = TakeFromAnyClass(lightOnly, out served);
                }
                if (request is null)
                {
                    break; // every key is held back: by the headroom, or for the replicas where less-served keys wait
                }
                served.Shared?.Took(request.Line.KeyId, request.Line.Weight);
                Started(request.Line.KeyId);
                Forget(request);
                _granted++;
                dispatched++;
                request.Granted();
            }
        }
        return dispatched;
    }

    /// <summary>A let-through request was sent (or gave up): its room is the instance's count now.</summary>
    public void Sent()
    {
        lock (_lock)
        {
            _granted--;
        }
    }

    /// <summary>Takes a waiting request out (timed out, client gone); false when it was let through meanwhile.</summary>
    internal bool TryRemove(QueuedRequest request)
    {
        lock (_lock)
        {
            if (request.Node is null)
            {
                return false;
            }
            request.Line.Remove(request);
            Forget(request);
            return true;
        }
    }

    private QueuedRequest? TakeFromAnyClass(bool lightOnly, out PriorityClass served)
    {
        for (var c = 0; c < _classes.Length; c++)
        {
            served = _classes[c];
            if (!served.IsEmpty && !HigherClassWaits(c) && served.TakeNext(this, lightOnly, out _) is { } request)
            {
                return request;
            }
        }
        served = _classes[0];
        return null;
    }

    // A class held for a higher one waiting on another replica still gets one chance in StarvationShare once its oldest
    // request has waited starvation_after.
    private bool StarvingAgainstOtherReplicas(int priorityClass, long now, TimeSpan starvationAfter)
    {
        if (_classes[priorityClass].OldestSince() > now - (long)(starvationAfter.TotalSeconds * Stopwatch.Frequency))
        {
            return false;
        }
        if (_passedOverForOthers >= StarvationShare - 1)
        {
            _passedOverForOthers = 0;
            return true;
        }
        _passedOverForOthers++;
        return false;
    }

    // Whether a class above `priorityClass` has keys waiting on some replica (shared turns only).
    private bool HigherClassWaits(int priorityClass)
    {
        for (var c = 0; c < priorityClass; c++)
        {
            if (_classes[c].Shared?.SomeoneWaits == true)
            {
                return true;
            }
        }
        return false;
    }

    // The highest class with requests; one time in StarvationShare, a lower class whose oldest has waited too long
    // (the longest-waiting of those).
    private int ClassToServe(long now, TimeSpan starvationAfter, out bool starving)
    {
        starving = false;
        var first = 0;
        while (_classes[first].IsEmpty)
        {
            first++;
        }
        int oldestClass = -1;
        var oldest = long.MaxValue;
        var limit = now - (long)(starvationAfter.TotalSeconds * Stopwatch.Frequency);
        for (var c = first + 1; c < _classes.Length; c++)
        {
            if (!_classes[c].IsEmpty && _classes[c].OldestSince() is var since && since <= limit && since < oldest)
            {
                (oldestClass, oldest) = (c, since);
            }
        }
        if (oldestClass < 0)
        {
            _passedOver = StarvationShare - 1;
            return first;
        }
        if (_passedOver >= StarvationShare - 1)
        {
            _passedOver = 0;
            starving = true;
            return oldestClass;
        }
        _passedOver++;
        return first;
    }

    private void Forget(QueuedRequest request)
    {
        request.Node = null;
        _count--;
        var keyId = request.Line.KeyId;
        if (--System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_perKey, keyId) == 0)
        {
            _perKey.Remove(keyId);
        }
    }

    /// <summary>The keys' lines of one priority class, in the order they are served.</summary>
    internal sealed class PriorityClass(SharedTurns? shared)
    {
        private readonly LinkedList<KeyLine> _turns = new();
        private readonly Dictionary<string, KeyLine> _lines = new(StringComparer.Ordinal);

        public SharedTurns? Shared { get; } = shared;

        public string[] WaitingKeys() => [.. _lines.Keys];

        public bool IsEmpty => _turns.Count == 0;

        public KeyLine LineOf(string keyId)
        {
            if (!_lines.TryGetValue(keyId, out var line))
            {
                line = new KeyLine(keyId, this);
                _lines[keyId] = line;
                line.Turn = _turns.AddLast(line);
            }
            return line;
        }

        // The key whose turn it is gives its first request; after `weight` of them, or when it has none left, the next key's
        // turn. A key held back (too far ahead in the shared turns, or not light while only light keys may go) keeps its
        // place. Null when every key of the class is held back; heldForOthers when one was for the shared turns.
        public QueuedRequest? TakeNext(FlowQueue queue, bool lightOnly, out bool heldForOthers)
        {
            heldForOthers = false;
            var turn = _turns.First;
            while (turn is not null)
            {
                var keyId = turn.Value.KeyId;
                if (Shared?.IsAhead(keyId) == true)
                {
                    heldForOthers = true;
                }
                else if (!lightOnly || queue.IsLight(keyId))
                {
                    break;
                }
                turn = turn.Next;
            }
            if (turn is null)
            {
                return null;
            }
            var line = turn.Value;
            var request = line.Waiting.First!.Value;
            line.Remove(request);
            if (line.Turn is not null && --line.Credits <= 0)
            {
                line.Credits = line.Weight;
                _turns.Remove(line.Turn);
                line.Turn = _turns.AddLast(line);
            }
            return request;
        }

        public long OldestSince()
        {
            var oldest = long.MaxValue;
            foreach (var line in _turns)
            {
                oldest = Math.Min(oldest, line.Waiting.First!.Value.Since);
            }
            return oldest;
        }

        public void Drop(KeyLine line)
        {
            _turns.Remove(line.Turn!);
            line.Turn = null;
            _lines.Remove(line.KeyId);
        }
    }

    /// <summary>One key's waiting requests in one class.</summary>
    internal sealed class KeyLine(string keyId, PriorityClass owner)
    {

        public string KeyId { get; } = keyId;
        public int Weight { get; set; } = 1;
        public int Credits { get; set; } = 1;
        public LinkedList<QueuedRequest> Waiting { get; } = new();
        internal LinkedListNode<KeyLine>? Turn { get; set; }

        internal void Remove(QueuedRequest request)
        {
            Waiting.Remove(request.Node!);
            if (Waiting.Count == 0)
            {
                owner.Drop(this);
            }
        }
    }
}
