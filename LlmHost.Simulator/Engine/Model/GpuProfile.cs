namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// What the roofline needs of a GPU: dense BF16 peak, memory bandwidth and size. Figures from the vendors' data sheets:
/// NVIDIA H100 SXM5 80GB (989 TFLOPS dense BF16, 3.35 TB/s HBM3), H200 SXM 141GB (989 TFLOPS, 4.8 TB/s HBM3e),
/// A100 SXM4 80GB (312 TFLOPS BF16, 2.039 TB/s HBM2e), A100 SXM4 40GB (312 TFLOPS, 1.555 TB/s HBM2), L4 (121 TFLOPS
/// dense BF16, 300 GB/s GDDR6, 24 GB).
/// </summary>
public sealed record GpuProfile(string Name, double PeakTflops, double BandwidthGBs, double MemoryGiB)
{
    public static GpuProfile H100 { get; } = new("h100", 989, 3350, 80);
    public static GpuProfile H200 { get; } = new("h200", 989, 4800, 141);
    public static GpuProfile A100 { get; } = new("a100", 312, 2039, 80);
    public static GpuProfile A100With40GB { get; } = new("a100-40gb", 312, 1555, 40);
    public static GpuProfile L4 { get; } = new("l4", 121, 300, 24);

    public static IReadOnlyList<GpuProfile> All { get; } = [H100, H200, A100, A100With40GB, L4];

    public static GpuProfile? Find(string name) => All.FirstOrDefault(g => g.Name == name);
}
