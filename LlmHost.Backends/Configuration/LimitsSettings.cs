namespace LlmHost.Backends.Configuration;

public sealed class LimitsSettings
{
    /// <summary><c>memory</c> (per gateway process) or <c>redis</c> (shared by replicas).</summary>
    public string Store { get; set; } = "memory";

    public KeyLimits Defaults { get; set; } = new() { Qps = 10, Burst = 20, Concurrency = 8, Tpm = 200_000 };

    public GlobalLimits Global { get; set; } = new();
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
