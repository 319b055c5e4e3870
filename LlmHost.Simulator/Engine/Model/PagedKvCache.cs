namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// A paged KV cache with automatic prefix caching, as vLLM's block pool keeps it: fixed-size blocks (16 tokens); a full
/// block whose KV is computed (<see cref="MarkComputed"/>) is identified by a chained hash of its tokens and of the
/// blocks before it, so equal prefixes give equal hashes; a sequence reuses the longest cached prefix of its prompt (never all of it: the last token is computed to
/// produce the first output); blocks nobody uses stay cached and are reused least recently freed first, a freed
/// sequence's last blocks first (they are the least likely to be shared). With one-token blocks it is SGLang's radix
/// cache: matches at token granularity, leaves evicted least recently used first. Single-threaded: the engine's step
/// loop owns it.
/// </summary>
public sealed class PagedKvCache
{
    /// <summary>vLLM's default <c>--block-size</c>.</summary>
    public const int VllmBlockSize = 16;

    private readonly int[] _refCount;
    private readonly ulong[] _hash;
    private readonly LinkedListNode<int>[] _freeNodes;
    private readonly LinkedList<int> _free = new();
    private readonly Dictionary<ulong, int> _cached = [];

    public PagedKvCache(int totalBlocks, int blockSize = VllmBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalBlocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        TotalBlocks = totalBlocks;
        BlockSize = blockSize;
        _refCount = new int[totalBlocks];
        _hash = new ulong[totalBlocks];
        _freeNodes = new LinkedListNode<int>[totalBlocks];
        for (var i = 0; i < totalBlocks; i++)
        {
            _freeNodes[i] = _free.AddLast(i);
        }
    }

    public int TotalBlocks { get; }
    public int BlockSize { get; }

    /// <summary>Blocks no sequence uses (some still hold cached prefixes).</summary>
    public int FreeBlocks => _free.Count;

    /// <summary>vLLM's <c>kv_cache_usage_perc</c>: the share of blocks in use by sequences.</summary>
    public double Usage => 1 - (double)_free.Count / TotalBlocks;

    /// <summary>Prompt tokens looked up in the prefix cache, and of those found (vLLM's prefix_cache_queries/hits).</summary>
    public long PrefixQueries { get; private set; }
    public long PrefixHits { get; private set; }

    /// <summary>Blocks a sequence of <paramref name="tokens"/> tokens needs.</summary>
    public int BlocksFor(int tokens) => (tokens + BlockSize - 1) / BlockSize;

    /// <summary>
    /// Admits a prompt: the longest cached prefix of full blocks is shared, blocks for the rest are allocated. Null
    /// (and nothing changed) when there are not enough free blocks.
    /// </summary>
    public KvAllocation? Admit(IReadOnlyList<int> prompt, ulong salt = 0)
    {
        var hashes = FullBlockHashes(prompt, prompt.Count, salt);
        var hits = 0;
        // The last prompt token is always computed: a prompt made only of cached blocks reuses all but the last.
        var reusable = (prompt.Count - 1) / BlockSize;
        while (hits < Math.Min(hashes.Count, reusable) && _cached.ContainsKey(hashes[hits]))
        {
            hits++;
        }
        var needed = BlocksFor(prompt.Count) - hits;
        var cachedFree = 0;
        for (var i = 0; i < hits; i++)
        {
            cachedFree += _refCount[_cached[hashes[i]]] == 0 ? 1 : 0;
        }
        if (needed > _free.Count - cachedFree)
        {
            return null;
        }
        PrefixQueries += prompt.Count;
        PrefixHits += hits * BlockSize;
        var allocation = new KvAllocation { CachedTokens = hits * BlockSize, Salt = salt };
        for (var i = 0; i < hits; i++)
        {
            var block = _cached[hashes[i]];
            Use(block);
            allocation.Blocks.Add(block);
            allocation.Hashes.Add(hashes[i]);
        }
        for (var i = 0; i < hits * BlockSize; i++)
        {
            allocation.AllTokens.Add(prompt[i]);
        }
        allocation.Tokens = hits * BlockSize;
        Append(allocation, prompt, hits * BlockSize);
        return allocation;
    }

    /// <summary>Adds generated tokens; false (nothing changed) when a new block is needed and none is free.</summary>
    public bool TryGrow(KvAllocation allocation, IReadOnlyList<int> tokens)
    {
        ObjectDisposedException.ThrowIf(allocation.Freed, allocation);
        if (BlocksFor(allocation.Tokens + tokens.Count) - allocation.Blocks.Count > _free.Count)
        {
            return false;
        }
        Append(allocation, tokens, 0);
        return true;
    }

    /// <summary>Gives the sequence's blocks back; their cached prefixes stay until the blocks are needed again.</summary>
    public void Free(KvAllocation allocation)
    {
        if (allocation.Freed)
        {
            return;
        }
        allocation.Freed = true;
        // Last blocks first into the free queue: they are evicted first.
        for (var i = allocation.Blocks.Count - 1; i >= 0; i--)
        {
            var block = allocation.Blocks[i];
            if (--_refCount[block] == 0)
            {
                _freeNodes[block] = _free.AddLast(block);
            }
        }
    }

    /// <summary>
    /// The sequence's KV is computed up to <paramref name="computedTokens"/>: its full blocks up to there enter the
    /// prefix cache (only computed blocks may be reused: a prefill cut short must not leave blocks that look cached).
    /// </summary>
    public void MarkComputed(KvAllocation allocation, int computedTokens)
    {
        var limit = Math.Min(computedTokens, allocation.Tokens);
        var block = new List<int>(BlockSize);
        while ((allocation.Hashes.Count + 1) * BlockSize <= limit)
        {
            var index = allocation.Hashes.Count;
            block.Clear();
            for (var i = index * BlockSize; i < (index + 1) * BlockSize; i++)
            {
                block.Add(allocation.AllTokens[i]);
            }
            var hash = ChainHash(index > 0 ? allocation.Hashes[index - 1] : allocation.Salt, block);
            allocation.Hashes.Add(hash);
            var id = allocation.Blocks[index];
            _hash[id] = hash;
            _cached.TryAdd(hash, id);
        }
    }

    // Allocates blocks as tokens arrive; their hashes come when their KV is computed.
    private void Append(KvAllocation allocation, IReadOnlyList<int> tokens, int from)
    {
        for (var i = from; i < tokens.Count; i++)
        {
            if (allocation.Tokens % BlockSize == 0)
            {
                allocation.Blocks.Add(Allocate());
            }
            allocation.AllTokens.Add(tokens[i]);
            allocation.Tokens++;
        }
    }

    // The least recently freed block; the prefix it held is forgotten.
    private int Allocate()
    {
        var block = _free.First!.Value;
        _free.RemoveFirst();
        _freeNodes[block] = null!;
        if (_hash[block] != 0 && _cached.TryGetValue(_hash[block], out var holder) && holder == block)
        {
            _cached.Remove(_hash[block]);
        }
        _hash[block] = 0;
        _refCount[block] = 1;
        return block;
    }

    private void Use(int block)
    {
        if (_refCount[block]++ == 0)
        {
            _free.Remove(_freeNodes[block]);
            _freeNodes[block] = null!;
        }
    }

    private List<ulong> FullBlockHashes(IReadOnlyList<int> tokens, int count, ulong salt)
    {
        var hashes = new List<ulong>(count / BlockSize);
        var block = new List<int>(BlockSize);
        var parent = salt;
        for (var i = 0; i + BlockSize <= count; i += BlockSize)
        {
            block.Clear();
            for (var j = i; j < i + BlockSize; j++)
            {
                block.Add(tokens[j]);
            }
            parent = ChainHash(parent, block);
            hashes.Add(parent);
        }
        return hashes;
    }

    /// <summary>A block's identity: its tokens and the identity of the blocks before it (never 0).</summary>
    internal static ulong ChainHash(ulong parent, List<int> tokens)
    {
        var hash = 0xcbf29ce484222325UL ^ parent;
        foreach (var token in tokens)
        {
            hash = (hash ^ (uint)token) * 0x100000001b3UL;
            hash ^= hash >> 29;
        }
        return hash == 0 ? 1 : hash;
    }
}
