using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Routing.Sessions;

/// <summary>
/// Which instance each session went to: a bounded table keyed by a hash of (API key, model, session name), never the
/// client's strings. The least recently used are forgotten first; a pin unused for the idle expiry is forgotten.
/// </summary>
public sealed class SessionPins
{
    private readonly GenerationalMap<ulong, string> _pins = new();

    /// <summary>The instance <paramref name="session"/> is pinned to; null when none, or expired.</summary>
    public string? Find(ulong session, TimeSpan idleExpiry) => _pins.TryGet(session, idleExpiry, out var instance) ? instance : null;

    public void Pin(ulong session, string instance, int capacity) => _pins.Set(session, instance, capacity);

    public int Count => _pins.Count;
}
