namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// What the roofline needs of a GPU: dense BF16 peak, memory bandwidth and size. Figures from the vendors' data sheets:
/// NVIDIA H100 SXM5 80GB (989 TFLOPS dense BF16, 3.35 TB/s HBM3), A100 SXM4 80GB (312 TFLOPS BF16, 2.039 TB/s
/// HBM2e), L4 (121 TFLOPS dense BF16, 300 GB/s GDDR6, 24 GB).
/// </summary>
public sealed record GpuProfile(string Name, double PeakTflops, double BandwidthGBs, double MemoryGiB)
{
    public static GpuProfile H100 { get; } = new("h100", 989, 3350, 80);
    public static GpuProfile A100 { get; } = new("a100", 312, 2039, 80);
    public static GpuProfile L4 { get; } = new("l4", 121, 300, 24);

    public static IReadOnlyList<GpuProfile> All { get; } = [H100, A100, L4];

    public static GpuProfile? Find(string name) => All.FirstOrDefault(g => g.Name == name);
}
