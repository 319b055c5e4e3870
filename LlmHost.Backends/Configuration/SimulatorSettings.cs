namespace LlmHost.Backends.Configuration;

/// <summary>Latency and failure settings used when a backend runs as LlmHost.Simulator.</summary>
public sealed class SimulatorSettings
{
    public int TtftMs { get; set; } = 40;
    public int ItlMs { get; set; } = 8;
    public int MaxNumSeqs { get; set; } = 64;
    public int Seed { get; set; } = 42;
    public double FailureRate { get; set; }

    /// <summary>How long loading an adapter takes, in milliseconds (a real engine reads the weights from disk).</summary>
    public int LoraLoadMs { get; set; } = 500;

    /// <summary>How long waking from level-1 sleep takes, in milliseconds (level 2: three times as long).</summary>
    public int WakeMs { get; set; } = 300;
    public List<string> ExtraArgs { get; set; } = [];
}
