namespace LlmHost.Simulator.Engine.Model;

/// <summary>One sequence's blocks in a <see cref="PagedKvCache"/>: its tokens so far and the hashes of its full blocks.</summary>
public sealed class KvAllocation
{
    internal List<int> Blocks { get; } = [];

    /// <summary>The hashes of the full blocks whose KV is computed (in the prefix cache), in order.</summary>
    internal List<ulong> Hashes { get; } = [];

    /// <summary>Every token the sequence holds, block by block.</summary>
    internal List<int> AllTokens { get; } = [];

    /// <summary>Tokens the sequence holds (prompt and generated).</summary>
    public int Tokens { get; internal set; }

    /// <summary>Prompt tokens found in the cache at admission: not computed again.</summary>
    public int CachedTokens { get; internal set; }

    public int BlockCount => Blocks.Count;

    internal bool Freed { get; set; }

    /// <summary>What the first block's hash starts from: 0 for the base model, the adapter's id for a LoRA adapter
    /// (vLLM's extra key: an adapter's KV never matches the base model's).</summary>
    internal ulong Salt { get; init; }
}
