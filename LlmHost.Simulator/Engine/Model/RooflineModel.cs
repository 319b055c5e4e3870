namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// How long one engine step takes on <see cref="Gpu"/> × <see cref="TensorParallel"/> for <see cref="Model"/>: the
/// larger of the compute time (2 × parameters per token of the step, plus attention: 4 × layers × query heads × head
/// dim per token and context token, over peak FLOPs × <see cref="ComputeEfficiency"/>) and the memory time (the
/// weights and the KV cache read once per step, over bandwidth × <see cref="MemoryEfficiency"/>), plus a fixed
/// per-step overhead. Also how many KV blocks fit: GPU memory × utilization − weights, over KV bytes per block.
/// </summary>
public sealed record RooflineModel(GpuProfile Gpu, ModelProfile Model, int TensorParallel = 1)
{
    // Calibrated against published vLLM measurements (Calibration.Points; docs/SIMULATOR.md shows the errors).
    public const double DefaultComputeEfficiency = 0.5;
    public const double DefaultMemoryEfficiency = 0.8;
    public static readonly TimeSpan DefaultStepOverhead = TimeSpan.FromMilliseconds(1);

    /// <summary>What a request spends outside the GPU before its first step (HTTP, tokenization, the hop from the API
    /// server to the engine core): it dominates time to first token for short prompts on an idle engine.</summary>
    public static readonly TimeSpan DefaultRequestOverhead = TimeSpan.FromMilliseconds(8);

    public double ComputeEfficiency { get; init; } = DefaultComputeEfficiency;
    public double MemoryEfficiency { get; init; } = DefaultMemoryEfficiency;
    public TimeSpan StepOverhead { get; init; } = DefaultStepOverhead;

    /// <summary>
    /// One step: <paramref name="newTokens"/> tokens computed (prefill chunks and one per decoding sequence) that attend
    /// to <paramref name="attendedTokens"/> context tokens in all (sum over the step's tokens), reading
    /// <paramref name="kvTokensRead"/> tokens of KV cache.
    /// </summary>
    public TimeSpan StepTime(long newTokens, long attendedTokens, long kvTokensRead)
    {
        var flops = 2.0 * Model.ParametersB * 1e9 * newTokens
            + 4.0 * Model.Layers * Model.QueryHeads * Model.HeadDim * attendedTokens;
        var compute = flops / (Gpu.PeakTflops * 1e12 * ComputeEfficiency * TensorParallel);
        var bytes = Model.WeightBytes + (double)Model.KvBytesPerToken * kvTokensRead;
        var memory = bytes / (Gpu.BandwidthGBs * 1e9 * MemoryEfficiency * TensorParallel);
        return TimeSpan.FromSeconds(Math.Max(compute, memory)) + StepOverhead;
    }

    /// <summary>KV blocks of <paramref name="blockSize"/> tokens that fit beside the weights; 0 when the weights do not fit.</summary>
    public int KvBlocks(double gpuMemoryUtilization, int blockSize = 16)
    {
        var memory = Gpu.MemoryGiB * (1L << 30) * TensorParallel * gpuMemoryUtilization;
        var left = memory - Model.WeightBytes;
        return left <= 0 ? 0 : (int)Math.Min(int.MaxValue, left / ((double)Model.KvBytesPerToken * blockSize));
    }
}
