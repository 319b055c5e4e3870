namespace LlmHost.Backends.Configuration;

public sealed class LimitsSettings
{
    /// <summary><c>memory</c> (per gateway process) or <c>redis</c> (shared by replicas).</summary>
    public string Store { get; set; } = "memory";

    public KeyLimits Defaults { get; set; } = new() { Qps = 10, Burst = 20, Concurrency = 8, Tpm = 200_000 };

    public GlobalLimits Global { get; set; } = new();

    /// <summary>
    /// Completion tokens reserved for a request that sets no <c>max_tokens</c>, when the model's
    /// <c>max_model_len</c> is unknown; with a known context length the rest of the context is reserved.
    /// </summary>
    public int DefaultMaxTokens { get; set; } = 4096;

    /// <summary>
    /// Prompt tokens reserved per image, audio or video part of a chat message: the gateway cannot see how many
    /// tokens the engine's encoder makes of it, so it reserves a generous amount, settled with the real usage after.
    /// </summary>
    public MediaTokens MediaTokens { get; set; } = new();

    /// <summary>How long a concurrency lease lives in Redis without renewal (a dead replica's leases expire after it).</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);

    public RedisSettings Redis { get; set; } = new();
}
