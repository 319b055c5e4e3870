using System.Collections.Concurrent;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// One round-robin counter per model name, kept for the life of the process (model names come from the routing table:
/// configured, discovered or registered, never from a client).
/// </summary>
public sealed class RoundRobinTurns
{
    private static readonly ConcurrentDictionary<string, RoundRobinTurns> ByModel = new(StringComparer.Ordinal);
    private int _turn = -1;

    public static RoundRobinTurns For(string model) => ByModel.GetOrAdd(model, static _ => new RoundRobinTurns());

    /// <summary>The next turn (counts up; wraps around at int.MaxValue).</summary>
    public int Next() => Interlocked.Increment(ref _turn) & int.MaxValue;
}
