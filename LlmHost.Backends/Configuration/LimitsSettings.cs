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

    /// <summary>How long a concurrency lease lives in Redis without renewal (a dead replica's leases expire after it).</summary>
    public string LeaseTtl { get; set; } = "30s";

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
