using System.Collections.Concurrent;
using System.Diagnostics;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// What the gateway knows of one instance's adapters beyond its last model list: how each is used (for LRU eviction)
/// and the loads and unloads it made itself, so that a model list asked for before one of them does not undo it.
/// </summary>
public sealed class InstanceAdapters
{
    private readonly ConcurrentDictionary<string, AdapterUse> _use = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTime At, ModelCard? Card)> _changes = new(StringComparer.Ordinal);

    public AdapterUse Use(string adapter) => _use.GetOrAdd(adapter, static _ => new AdapterUse());

    /// <summary>Requests in flight for <paramref name="adapter"/> here (0 when never used).</summary>
    public int InFlight(string adapter) => _use.TryGetValue(adapter, out var use) ? use.InFlight : 0;

    /// <summary>Adapters with requests in flight here: what takes the engine's adapter slots in its batches now.</summary>
    public int ActiveCount
    {
        get
        {
            var active = 0;
            foreach (var (_, use) in _use)
            {
                if (use.InFlight > 0)
                {
                    active++;
                }
            }
            return active;
        }
    }

    /// <summary>Records a load (with the adapter's card) or an unload (null) the gateway made just now.</summary>
    public void Changed(string adapter, ModelCard? card) => _changes[adapter] = (DateTime.UtcNow, card);

    /// <summary>
    /// The cards an instance holds: those it listed when asked at <paramref name="askedAt"/>, corrected by the loads and
    /// unloads made after that moment (the list could not know them yet).
    /// </summary>
    public IReadOnlyList<ModelCard> Reconcile(IReadOnlyList<ModelCard> listed, DateTime askedAt)
    {
        if (_changes.IsEmpty)
        {
            return listed;
        }
        var cards = new List<ModelCard>(listed.Count + 1);
        foreach (var card in listed)
        {
            if (!_changes.TryGetValue(card.Id, out var change) || change.At <= askedAt || change.Card is not null)
            {
                cards.Add(card);
            }
        }
        foreach (var (adapter, change) in _changes)
        {
            if (change.At > askedAt && change.Card is { } card && !cards.Exists(c => c.Id == adapter))
            {
                cards.Add(card);
            }
            else if (change.At <= askedAt)
            {
                _changes.TryRemove(new KeyValuePair<string, (DateTime, ModelCard?)>(adapter, change));
            }
        }
        return cards;
    }

    /// <summary>
    /// Of <paramref name="held"/>, the adapter used least recently among those with no request in flight and no use for
    /// <paramref name="minIdle"/>; null if there is none.
    /// </summary>
    public string? LeastRecentlyUsedIdle(IEnumerable<string> held, TimeSpan minIdle)
    {
        string? victim = null;
        var oldest = long.MaxValue;
        foreach (var adapter in held)
        {
            var use = Use(adapter);
            if (use.InFlight == 0 && !use.IsEvicting && use.LastUsed < oldest && (use.LastUsed == 0 || Stopwatch.GetElapsedTime(use.LastUsed) >= minIdle))
            {
                (victim, oldest) = (adapter, use.LastUsed);
            }
        }
        return victim;
    }
}
