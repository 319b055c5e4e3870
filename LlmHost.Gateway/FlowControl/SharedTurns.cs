using System.Diagnostics;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// One model's turn counts in one priority class, as the gateway replicas share them through Redis
/// (<c>limits.store: redis</c>): the turns each key was served while it waited (each worth 1/<c>weight</c>), and the
/// least-served key waiting on any replica. While the engines are saturated, a key more than <see cref="Lead"/> turns
/// ahead of that key is held back here, so that the room goes to the replica where the least-served key waits: a tenant
/// that reaches N replicas gets its share once, not N times. This is this replica's mirror of the counts, kept fresh by
/// <see cref="SharedTurnsSync"/>, plus the turns it served since; a mirror older than <see cref="FreshFor"/> (Redis
/// away) holds nobody back. The least-served key itself is never held.
/// </summary>
public sealed class SharedTurns
{
    /// <summary>How many turns a key may lead the least-served waiting key before it is held back.</summary>
    public const double Lead = 2;

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    /// <summary>A key's count read back stays known this long after it was last asked about.</summary>
    private static readonly TimeSpan KnownFor = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    // Turns served here since the process started, per key: sent as totals, so that a sync sent twice counts once.
    private readonly Dictionary<string, double> _totals = new(StringComparer.Ordinal);
    // The totals as the last answered sync carried them (what the shared counts already hold of this replica's turns).
    private readonly Dictionary<string, double> _acknowledged = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsent = new(StringComparer.Ordinal);
    // Per key: its shared count as last read, when it last waited or was served here, and this replica's total then.
    private readonly Dictionary<string, (double Count, long ReadAt, double Total)> _counts = new(StringComparer.Ordinal);
    private string? _leastKey;
    private double _least;
    private long _syncedAt;

    /// <summary>Whether <paramref name="keyId"/> is too far ahead of the least-served waiting key to be served here now.</summary>
    public bool IsAhead(string keyId)
    {
        lock (_lock)
        {
            if (!Fresh() || _leastKey is not { } least || keyId == least || !_counts.TryGetValue(keyId, out var count))
            {
                return false;
            }
            return count.Count + Unacknowledged(keyId) > _least + Unacknowledged(least) + Lead;
        }
    }

    /// <summary>Whether some key of this class waits on some replica (as of a fresh sync).</summary>
    public bool SomeoneWaits
    {
        get
        {
            lock (_lock)
            {
                return Fresh() && _leastKey is not null;
            }
        }
    }

    /// <summary>This replica served one request of the key from its queue, or let one through while saturated.</summary>
    public void Took(string keyId, int weight)
    {
        lock (_lock)
        {
            _totals[keyId] = _totals.GetValueOrDefault(keyId) + 1.0 / Math.Max(1, weight);
            _unsent.Add(keyId);
        }
    }

    /// <summary>
    /// What the next sync sends and asks: the keys waiting here, the totals not yet acknowledged and the keys known
    /// lately (so that a key served here now and then stays known); null when there is nothing to sync — nobody waits
    /// here, nothing is unsent, and no key waited anywhere at the last sync.
    /// </summary>
    internal SharedTurnsAsk? Ask(string[] waiting)
    {
        lock (_lock)
        {
            var contended = _leastKey is not null && Stopwatch.GetElapsedTime(_syncedAt) < KnownFor;
            if (waiting.Length == 0 && _unsent.Count == 0 && !contended)
            {
                return null;
            }
            var keys = new List<(string Key, double Total, bool Waiting)>(waiting.Length + _unsent.Count + _counts.Count);
            var asked = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in waiting)
            {
                if (asked.Add(key))
                {
                    keys.Add((key, _totals.GetValueOrDefault(key), true));
                }
            }
            foreach (var key in _unsent)
            {
                if (asked.Add(key))
                {
                    keys.Add((key, _totals[key], false));
                }
            }
            foreach (var (key, _) in _counts)
            {
                if (asked.Add(key))
                {
                    keys.Add((key, _totals.GetValueOrDefault(key), false));
                }
            }
            return new SharedTurnsAsk(keys);
        }
    }

    /// <summary>The shared counts as Redis answered <paramref name="ask"/>.</summary>
    internal void Synced(SharedTurnsAsk ask, SharedTurnCounts counts)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            foreach (var (key, total, _) in ask.Keys)
            {
                if (total > _acknowledged.GetValueOrDefault(key))
                {
                    _acknowledged[key] = total;
                }
                if (_totals.GetValueOrDefault(key) <= total)
                {
                    _unsent.Remove(key);
                }
            }
            // A key stays known while it waits or is served here; one only asked about again is forgotten in time.
            foreach (var (key, total, waiting) in ask.Keys)
            {
                if (counts.Served.TryGetValue(key, out var count))
                {
                    var readAt = waiting || !_counts.TryGetValue(key, out var known) || total > known.Total ? now : known.ReadAt;
                    _counts[key] = (count, readAt, total);
                }
            }
            var forgetBefore = now - (long)(KnownFor.TotalSeconds * Stopwatch.Frequency);
            foreach (var (key, count) in _counts)
            {
                if (count.ReadAt < forgetBefore)
                {
                    _counts.Remove(key);
                }
            }
            (_leastKey, _least, _syncedAt) = (counts.LeastKey, counts.Least, now);
        }
    }

    private bool Fresh() => _syncedAt != 0 && Stopwatch.GetElapsedTime(_syncedAt) <= FreshFor;

    // Turns served here that the shared counts do not hold yet.
    private double Unacknowledged(string keyId) => Math.Max(0, _totals.GetValueOrDefault(keyId) - _acknowledged.GetValueOrDefault(keyId));
}

/// <summary>One sync's keys: each with this replica's total of turns and whether it waits here.</summary>
internal sealed record SharedTurnsAsk(List<(string Key, double Total, bool Waiting)> Keys);

/// <summary>
/// What a sync read back: the least-served key waiting on any replica (null when none waits, or only keys whose count
/// has not moved for a while — see <see cref="SharedTurnsSync.StalledAfter"/>) and its count, and the counts of the
/// keys asked about that have one.
/// </summary>
internal sealed record SharedTurnCounts(string? LeastKey, double Least, IReadOnlyDictionary<string, double> Served);
