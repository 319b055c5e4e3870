using System.Globalization;
using System.Text;

namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// The engine model against published vLLM measurements: each point replays the published experiment (a closed loop
/// of C clients, fixed prompt and output lengths, no prefix sharing) on the simulated clock and compares one figure.
/// <c>LlmHost.Simulator --calibrate</c> prints the table that <c>docs/SIMULATOR.md</c> shows.
/// </summary>
public static class Calibration
{
    public sealed record Point(string Source, string Gpu, string Model, int Concurrency, int InputTokens, int OutputTokens,
        string Metric, double Published, Func<ClosedLoopResult, ClosedLoopResult, double> Measure, string Unit)
    {
        public double Simulated(RooflineModelDefaults defaults)
        {
            var roofline = defaults.For(GpuProfile.Find(Gpu)!, ModelProfile.Find(Model)!);
            return Measure(ClosedLoop.Run(roofline, defaults.RequestOverhead, Concurrency, InputTokens, OutputTokens),
                ClosedLoop.Run(roofline, defaults.RequestOverhead, 1, InputTokens, OutputTokens));
        }
    }

    public static IReadOnlyList<string> Sources { get; } =
    [
        "J. Musgrave, \"vLLM throughput-latency sweep on NVIDIA A100\": vLLM 0.23.0, A100 40GB, `vllm bench serve` random 1024/128, --ignore-eos; https://johnmusgrave.com/p/vllm-throughput-latency-sweep-on",
        "InferenceBench, \"Recipe: concurrency sweep\": vLLM 0.21.0, H100-80GB-HBM3, fp16, chatbot-short (prompt length not stated; 128 assumed), 2026-05-16; https://yobitelcomm.github.io/bench/recipes/concurrency-sweep/",
        "vLLM performance benchmark (Buildkite build 9515), latency_llama8B_tp1: H200, 32 in / 128 out, batch 8; https://buildkite.com/vllm/performance-benchmark/builds/9515",
    ];

    private const string Musgrave = "[1]";
    private const string InferenceBench = "[2]";
    private const string VllmNightly = "[3]";

    public static IReadOnlyList<Point> Points { get; } =
    [
        new(Musgrave, "a100-40gb", "llama-3.1-8b", 1, 1024, 128, "decode rate, one request", 75, (c, _) => 1000 / c.TpotMs, "tok/s"),
        new(Musgrave, "a100-40gb", "llama-3.1-8b", 8, 1024, 128, "output throughput, 8 vs 1 concurrent", 6.6, (c, one) => c.OutputPerSecond / one.OutputPerSecond, "×"),
        new(InferenceBench, "h100", "llama-3.1-8b", 1, 128, 128, "TPOT p50, one request", 6.48, (c, _) => c.TpotMs, "ms"),
        new(InferenceBench, "h100", "llama-3.1-8b", 4, 128, 128, "TPOT p50, 4 concurrent", 6.59, (c, _) => c.TpotMs, "ms"),
        new(InferenceBench, "h100", "llama-3.1-8b", 1, 128, 128, "TTFT p50, one request", 13.98, (c, _) => c.TtftMs, "ms"),
        new(VllmNightly, "h200", "llama-3.1-8b", 8, 32, 128, "end-to-end latency of a batch of 8", 833.4, (c, _) => c.FirstRoundE2eMs, "ms"),
    ];

    /// <summary>The Markdown table of every point: published, simulated, error.</summary>
    public static string Table(RooflineModelDefaults defaults)
    {
        var text = new StringBuilder();
        text.AppendLine("| GPU | model | clients | in/out tokens | figure | published | simulated | error | source |");
        text.AppendLine("|---|---|---:|---|---|---:|---:|---:|---|");
        foreach (var point in Points)
        {
            var simulated = point.Simulated(defaults);
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {point.Gpu} | {point.Model} | {point.Concurrency} | {point.InputTokens}/{point.OutputTokens} | {point.Metric} | {point.Published:0.##} {point.Unit} | {simulated:0.##} {point.Unit} | {(simulated / point.Published - 1):+0%;-0%} | {point.Source} |"));
        }
        text.AppendLine();
        for (var i = 0; i < Sources.Count; i++)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"[{i + 1}] {Sources[i]}"));
        }
        return text.ToString();
    }
}

/// <summary>The efficiencies and overheads every profile is simulated with (one set for all GPUs and models).</summary>
public sealed record RooflineModelDefaults(double ComputeEfficiency, double MemoryEfficiency, TimeSpan StepOverhead, TimeSpan RequestOverhead)
{
    public static RooflineModelDefaults Shipped { get; } = new(
        RooflineModel.DefaultComputeEfficiency, RooflineModel.DefaultMemoryEfficiency, RooflineModel.DefaultStepOverhead, RooflineModel.DefaultRequestOverhead);

    public RooflineModel For(GpuProfile gpu, ModelProfile model, int tensorParallel = 1) =>
        new(gpu, model, tensorParallel) { ComputeEfficiency = ComputeEfficiency, MemoryEfficiency = MemoryEfficiency, StepOverhead = StepOverhead };
}

/// <summary>What a closed loop of clients measured, in simulated milliseconds.</summary>
public sealed record ClosedLoopResult(double TtftMs, double TpotMs, double OutputPerSecond, double FirstRoundE2eMs);

/// <summary>
/// C clients, each sending its next request (a new prompt, never cached) as soon as its answer is complete, for 20
/// rounds as <c>vllm bench serve --max-concurrency C --num-prompts 20C</c> does; medians of TTFT and time per output token.
/// </summary>
public static class ClosedLoop
{
    public static ClosedLoopResult Run(RooflineModel roofline, TimeSpan requestOverhead, int concurrency, int input, int output, int rounds = 20)
    {
        var scheduler = new BatchScheduler(new PagedKvCache(roofline.KvBlocks(0.9)), roofline);
        var next = 0;
        var ready = new List<(TimeSpan At, int Client)>();
        var started = new Dictionary<EngineSequence, TimeSpan>();
        for (var client = 0; client < concurrency; client++)
        {
            ready.Add((requestOverhead, client));
        }
        List<double> ttft = [], tpot = [];
        double firstRound = 0;
        var total = concurrency * rounds;
        var outputTokens = 0L;
        for (var guard = 0; (started.Count > 0 || ready.Count > 0) && guard < 10_000_000; guard++)
        {
            // Requests whose overhead has passed join the engine; an idle engine jumps to the next one.
            if (scheduler.Running == 0 && scheduler.Waiting == 0 && ready.Count > 0)
            {
                scheduler.AdvanceTo(ready.Min(r => r.At));
            }
            for (var i = ready.Count - 1; i >= 0; i--)
            {
                if (ready[i].At <= scheduler.Now && next < total)
                {
                    var prompt = Enumerable.Range(next * input + 1_000_000, input).ToList();
                    started[scheduler.Add(prompt, output)] = ready[i].At - requestOverhead;
                    next++;
                    ready.RemoveAt(i);
                }
                else if (next >= total)
                {
                    ready.RemoveAt(i);
                }
            }
            foreach (var done in scheduler.Step())
            {
                var sent = started[done];
                started.Remove(done);
                ttft.Add((done.FirstToken!.Value - sent).TotalMilliseconds);
                tpot.Add((done.Finished!.Value - done.FirstToken.Value).TotalMilliseconds / Math.Max(1, output - 1));
                outputTokens += done.OutputTokens;
                if (ttft.Count == concurrency)
                {
                    firstRound = (done.Finished.Value - sent).TotalMilliseconds;
                }
                ready.Add((done.Finished.Value + requestOverhead, 0));
            }
        }
        ttft.Sort();
        tpot.Sort();
        return new ClosedLoopResult(ttft[ttft.Count / 2], tpot[tpot.Count / 2], outputTokens / scheduler.Now.TotalSeconds, firstRound);
    }
}
