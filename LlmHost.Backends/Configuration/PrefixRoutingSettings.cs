namespace LlmHost.Backends.Configuration;

/// <summary>
/// <c>routing.prefix</c>: how the <c>prefix_aware</c> policy remembers what each instance has cached and when load wins
/// over affinity.
/// </summary>
public sealed class PrefixRoutingSettings
{
    /// <summary>Bytes of the prompt's JSON per hashed chunk (about a quarter as many tokens).</summary>
    public int ChunkBytes { get; set; } = 256;

    /// <summary>Chunks hashed per request at most (the prompt's first ChunkBytes × MaxChunks bytes).</summary>
    public int MaxChunks { get; set; } = 512;

    /// <summary>Chunks remembered per instance, least recently used forgotten first: about the engine's KV capacity
    /// (16,384 chunks of 256 bytes ≈ 1M tokens).</summary>
    public int IndexChunks { get; set; } = 16_384;

    /// <summary>Affinity yields to the least loaded instance when the preferred one has this many more requests
    /// in flight or waiting…</summary>
    public int BalanceAbsThreshold { get; set; } = 8;

    /// <summary>… and this many times as many.</summary>
    public double BalanceRelThreshold { get; set; } = 1.5;
}
