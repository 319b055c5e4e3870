using System.Diagnostics;

namespace LlmHost.Gateway.Utilities;

/// <summary>
/// A bounded map whose entries expire: two generations approximate least-recently-used eviction at a fixed cost
/// (when the current one holds half the capacity, the older is dropped); an entry not used for the expiry is gone.
/// Thread-safe.
/// </summary>
public sealed class GenerationalMap<TKey, TValue> where TKey : notnull
{
    private readonly Lock _lock = new();
    private Dictionary<TKey, (TValue Value, long LastUsed)> _current = [];
    private Dictionary<TKey, (TValue Value, long LastUsed)> _previous = [];

    /// <summary>The value of <paramref name="key"/> if used within <paramref name="expiry"/>; a hit counts as a use.</summary>
    public bool TryGet(TKey key, TimeSpan expiry, out TValue value)
    {
        lock (_lock)
        {
            if ((_current.TryGetValue(key, out var entry) || _previous.Remove(key, out entry)) && Stopwatch.GetElapsedTime(entry.LastUsed) < expiry)
            {
                _current[key] = (entry.Value, Stopwatch.GetTimestamp());
                value = entry.Value;
                return true;
            }
            value = default!;
            return false;
        }
    }

    public void Set(TKey key, TValue value, int capacity)
    {
        lock (_lock)
        {
            if (_current.Count >= Math.Max(1, capacity / 2) && !_current.ContainsKey(key))
            {
                (_previous, _current) = (_current, _previous);
                _current.Clear();
            }
            _current[key] = (value, Stopwatch.GetTimestamp());
        }
    }

    public void Remove(TKey key)
    {
        lock (_lock)
        {
            _current.Remove(key);
            _previous.Remove(key);
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _current.Count + _previous.Count;
            }
        }
    }
}
