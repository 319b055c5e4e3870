namespace LlmHost.Gateway.Routing.Prefix;

/// <summary>
/// The chunk hashes the gateway sent to one instance, as a stand-in for what its prefix cache holds: bounded, the least
/// recently used forgotten first. Two generations approximate LRU at a fixed cost: new and reused hashes go to the
/// current one; when it is full the previous generation is dropped and the current becomes the previous. At most
/// <c>capacity</c> hashes are held (a peer's unbounded index grew until the process was killed).
/// </summary>
public sealed class PrefixIndex(int capacity)
{
    private readonly Lock _lock = new();
    private HashSet<ulong> _current = new(Math.Max(16, capacity / 2));
    private HashSet<ulong> _previous = [];

    public int Capacity { get; } = capacity;

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

    /// <summary>
    /// How many of <paramref name="chunks"/>, from the first, were sent here: the longest k whose k-th chunk is held.
    /// A chained hash stands for its whole prefix, so a binary search over the chain finds it in O(log n) lookups.
    /// </summary>
    public int MatchLength(ReadOnlySpan<ulong> chunks)
    {
        lock (_lock)
        {
            int low = 0, high = chunks.Length;
            while (low < high)
            {
                var middle = (low + high + 1) / 2;
                if (Holds(chunks[middle - 1]))
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }
            return low;
        }
    }

    private bool Holds(ulong chunk) => _current.Contains(chunk) || _previous.Contains(chunk);

    /// <summary>The prompt went to this instance: its chunks are now (most recently) held.</summary>
    public void Record(ReadOnlySpan<ulong> chunks)
    {
        lock (_lock)
        {
            // A prompt goes into one generation whole (if it fits at all): split across two, its head could be
            // forgotten before its tail, the reverse of what an engine evicts and of what MatchLength assumes.
            if (_current.Count + chunks.Length > Capacity / 2)
            {
                (_previous, _current) = (_current, _previous);
                _current.Clear();
            }
            foreach (var chunk in chunks[..Math.Min(chunks.Length, Capacity / 2)])
            {
                _current.Add(chunk);
            }
        }
    }
}
