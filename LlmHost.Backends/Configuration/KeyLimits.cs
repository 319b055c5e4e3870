namespace LlmHost.Backends.Configuration;

/// <summary>Per-key limits; 0 means unlimited.</summary>
public sealed class KeyLimits
{
    public double Qps { get; set; }
    public int Burst { get; set; }
    public int Concurrency { get; set; }
    public long Tpm { get; set; }
}
