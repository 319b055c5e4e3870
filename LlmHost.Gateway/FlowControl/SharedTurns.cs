using System.Diagnostics;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// One model's turn counts as the gateway replicas share them through Redis (<c>limits.store: redis</c>): every key's
/// turns served by any replica, each worth 1/<c>weight</c>, and which keys wait in any replica's queue. A key that is
/// more than <see cref="Lead"/> turns ahead of the least-served key waiting anywhere else is held back on this replica,
/// so that the engines' room goes to the replica where that key waits: a tenant that reaches N replicas gets its
/// share once, not N times. This is this replica's mirror of the counts (kept fresh by <see cref="SharedTurnsSync"/>),
/// plus the turns it served since; a mirror older than <see cref="FreshFor"/> (Redis away) holds nobody back.
/// </summary>
public sealed class SharedTurns
{
    /// <summary>How many turns a key may lead the least-served key waiting elsewhere before it is held back.</summary>
    public const double Lead = 2;

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Dictionary<string, double> _unsent = new(StringComparer.Ordinal);
    private Dictionary<string, double> _sending = new(StringComparer.Ordinal);
    private SharedTurnCounts _counts = SharedTurnCounts.None;
    private long _syncedAt;

    /// <summary>Whether <paramref name="keyId"/> is too far ahead of a key waiting elsewhere to be served here now.</summary>
    public bool IsAhead(string keyId)
    {
        lock (_lock)
        {
            if (_syncedAt == 0 || Stopwatch.GetElapsedTime(_syncedAt) > FreshFor || !_counts.Served.TryGetValue(keyId, out var served))
            {
                return false;
            }
            var others = keyId == _counts.LeastKey
                ? _counts.Second
                : _counts.Least + (_counts.LeastKey is { } least ? TakenHere(least) : 0);
            return served + TakenHere(keyId) > others + Lead;
        }
    }

    /// <summary>This replica served one request of the key (let through or dispatched).</summary>
    public void Took(string keyId, int weight)
    {
        lock (_lock)
        {
            _unsent[keyId] = _unsent.GetValueOrDefault(keyId) + 1.0 / Math.Max(1, weight);
        }
    }

    /// <summary>The turns served here since the last sync, handed to a sync (they count here until it answers).</summary>
    internal IReadOnlyDictionary<string, double> BeginSync()
    {
        lock (_lock)
        {
            foreach (var (key, taken) in _unsent)
            {
                _sending[key] = _sending.GetValueOrDefault(key) + taken;
            }
            _unsent.Clear();
            return new Dictionary<string, double>(_sending, StringComparer.Ordinal);
        }
    }

    /// <summary>The shared counts as Redis answered them, the turns sent with them included.</summary>
    internal void Synced(SharedTurnCounts counts)
    {
        lock (_lock)
        {
            _counts = counts;
            _sending.Clear();
            _syncedAt = Stopwatch.GetTimestamp();
        }
    }

    // Turns served here that the counts do not hold yet.
    private double TakenHere(string keyId) => _unsent.GetValueOrDefault(keyId) + _sending.GetValueOrDefault(keyId);
}

/// <summary>
/// What a sync read back: the least-served key waiting on any replica, its count and the next-least count (infinity
/// when fewer keys wait), and the counts of the keys this replica asked about.
/// </summary>
internal sealed record SharedTurnCounts(string? LeastKey, double Least, double Second, IReadOnlyDictionary<string, double> Served)
{
    public static readonly SharedTurnCounts None = new(null, double.PositiveInfinity, double.PositiveInfinity, new Dictionary<string, double>());
}
