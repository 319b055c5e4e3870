using LlmHost.Simulator.Engine.Model;

namespace LlmHost.Tests.Unit.Simulator.Model;

/// <summary>The shipped engine model stays within ±25 % of every published vLLM figure it is calibrated against.</summary>
[Trait("Category", "Unit")]
public sealed class CalibrationTests
{
    public static TheoryData<int> PointIndexes() => [.. Enumerable.Range(0, Calibration.Points.Count)];

    [Theory]
    [MemberData(nameof(PointIndexes))]
    public void Simulated_PublishedPoint_WithinTwentyFivePercent(int index)
    {
        var point = Calibration.Points[index];

        var simulated = point.Simulated(RooflineModelDefaults.Shipped);

        Assert.InRange(simulated / point.Published, 0.75, 1.25);
    }

    [Fact]
    public void Run_ClosedLoop_MoreClientsMoreThroughputAndLongerSteps()
    {
        var roofline = RooflineModelDefaults.Shipped.For(GpuProfile.H100, ModelProfile.Llama31_8B);

        var one = ClosedLoop.Run(roofline, TimeSpan.Zero, 1, 512, 64);
        var sixteen = ClosedLoop.Run(roofline, TimeSpan.Zero, 16, 512, 64);

        // Decode is memory-bound: 16 clients share each step's weight read, so throughput grows almost 16-fold while
        // each token takes only a little longer (the KV reads and the prefills in between).
        Assert.InRange(sixteen.OutputPerSecond / one.OutputPerSecond, 8, 16);
        Assert.True(sixteen.TpotMs > one.TpotMs);
        // One client on an idle engine: the first token is one prefill step of 512 tokens.
        var prefill = roofline.StepTime(512, 512L * 513 / 2, 512).TotalMilliseconds;
        Assert.Equal(prefill, one.TtftMs, 3);
    }

    [Fact]
    public void Table_ListsEveryPointAndItsSource()
    {
        var table = Calibration.Table(RooflineModelDefaults.Shipped);

        // A header of two lines, one row per point, one line per source.
        Assert.Equal(2 + Calibration.Points.Count + Calibration.Sources.Count, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("[3] vLLM performance benchmark", table);
    }
}
