using System.Diagnostics;

namespace LlmHost.Gateway.Routing.Sessions;

/// <summary>
/// Which instance each session went to: a bounded table keyed by a hash of (API key, model, session name), never the
/// client's strings. Two generations approximate least-recently-used eviction at a fixed cost; a pin unused for the
/// idle expiry is forgotten.
/// </summary>
public sealed class SessionPins
{
    private readonly Lock _lock = new();
    private Dictionary<ulong, (string Instance, long LastUsed)> _current = [];
    private Dictionary<ulong, (string Instance, long LastUsed)> _previous = [];

    /// <summary>The instance <paramref name="session"/> is pinned to; null when none, or expired.</summary>
    public string? Find(ulong session, TimeSpan idleExpiry)
    {
        lock (_lock)
        {
            if (_current.TryGetValue(session, out var pin) || _previous.TryGetValue(session, out pin))
            {
                return Stopwatch.GetElapsedTime(pin.LastUsed) < idleExpiry ? pin.Instance : null;
            }
            return null;
        }
    }

    public void Pin(ulong session, string instance, int capacity)
    {
        lock (_lock)
        {
            if (_current.Count >= Math.Max(1, capacity / 2) && !_current.ContainsKey(session))
            {
                (_previous, _current) = (_current, _previous);
                _current.Clear();
            }
            _current[session] = (instance, Stopwatch.GetTimestamp());
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
