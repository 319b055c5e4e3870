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

/// <summary>Per-key limits; 0 means unlimited.</summary>
public sealed class KeyLimits
{
    public double Qps { get; set; }
    public int Burst { get; set; }
    public int Concurrency { get; set; }
    public long Tpm { get; set; }
}

/// <summary>Tokens reserved per non-text part of a chat message.</summary>
public sealed class MediaTokens
{
    public int Image { get; set; } = 1536;
    public int Audio { get; set; } = 1536;
    public int Video { get; set; } = 8192;
}

public sealed class GlobalLimits
{
    public int Concurrency { get; set; } = 1024;
}

public sealed class RedisSettings
{
    /// <summary>
    /// StackExchange.Redis connection string (<c>host:port,password=…</c>). Empty: the <c>ConnectionStrings:redis</c>
    /// setting, which the AppHost provides.
    /// </summary>
    public string? ConnectionString { get; set; }
}
