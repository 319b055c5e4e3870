using LlmHost.Simulator.Engine.Model;

namespace LlmHost.Tests.Unit.Simulator.Model;

/// <summary>The roofline against hand-computed values.</summary>
[Trait("Category", "Unit")]
public sealed class RooflineModelTests
{
    [Fact]
    public void KvBytesPerToken_PublishedShapes()
    {
        Assert.Equal(131_072, ModelProfile.Llama31_8B.KvBytesPerToken);   // 32 × 8 × 128 × 2 × 2
        Assert.Equal(57_344, ModelProfile.Qwen25_7B.KvBytesPerToken);     // 28 × 4 × 128 × 2 × 2
        Assert.Equal(327_680, ModelProfile.Llama31_70B.KvBytesPerToken);  // 80 × 8 × 128 × 2 × 2
    }

    [Fact]
    public void KvBlocks_H100Llama8B_WhatIsLeftBesideTheWeights()
    {
        var roofline = new RooflineModel(GpuProfile.H100, ModelProfile.Llama31_8B);

        var expected = (int)((80.0 * 1024 * 1024 * 1024 * 0.9 - 8.03e9 * 2) / (131_072.0 * 16));

        Assert.Equal(expected, roofline.KvBlocks(0.9));
        Assert.Equal(0, new RooflineModel(GpuProfile.L4, ModelProfile.Llama31_70B).KvBlocks(0.9));
    }

    [Fact]
    public void StepTime_SmallDecodeStep_MemoryBound()
    {
        var roofline = new RooflineModel(GpuProfile.H100, ModelProfile.Llama31_8B);

        var step = roofline.StepTime(newTokens: 8, attendedTokens: 8 * 1000, kvTokensRead: 8 * 1000);

        var memory = (8.03e9 * 2 + 131_072.0 * 8000) / (3350e9 * 0.8);
        Assert.Equal(memory + 0.001, step.TotalSeconds, 6);
    }

    [Fact]
    public void StepTime_LongPrefill_ComputeBoundAndTensorParallelShares()
    {
        var one = new RooflineModel(GpuProfile.A100, ModelProfile.Llama31_8B);
        var two = one with { TensorParallel = 2 };
        const long tokens = 4096;
        const long attended = tokens * (tokens + 1) / 2;

        var step = one.StepTime(tokens, attended, tokens);

        var compute = (2 * 8.03e9 * tokens + 4.0 * 32 * 32 * 128 * attended) / (312e12 * 0.5);
        Assert.Equal(compute + 0.001, step.TotalSeconds, 6);
        Assert.Equal(compute / 2 + 0.001, two.StepTime(tokens, attended, tokens).TotalSeconds, 6);
    }
}
