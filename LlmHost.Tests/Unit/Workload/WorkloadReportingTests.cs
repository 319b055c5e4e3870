using LlmHost.Workload.Definition;
using LlmHost.Workload.Reporting;
using LlmHost.Workload.Running;

namespace LlmHost.Tests.Unit.Workload;

[Trait("Category", "Unit")]
public class WorkloadReportingTests
{
    [Fact]
    public void Of_Percentiles_InterpolateBetweenRanks()
    {
        double[] sorted = [10, 20, 30, 40, 50];

        Assert.Equal(30, Percentiles.Of(sorted, 0.5));
        Assert.Equal(46, Percentiles.Of(sorted, 0.9), 6);
        Assert.Equal(50, Percentiles.Of(sorted, 1));
        Assert.Equal(0, Percentiles.Of([], 0.5));
    }

    [Fact]
    public void Parse_EngineCounters_SumsVllmLabelSetsAndReadsSglang()
    {
        var vllm = EngineCounters.Parse("""
            # HELP vllm:prefix_cache_queries_total Prefix cache queries.
            vllm:prefix_cache_queries_total{model_name="a"} 1000
            vllm:prefix_cache_queries_total{model_name="b"} 500
            vllm:prefix_cache_hits_total{model_name="a"} 750
            vllm:num_preemptions_total{model_name="a"} 3
            vllm:num_requests_running{model_name="a"} 9
            """);
        var sglang = EngineCounters.Parse("sglang:prompt_tokens_total{model_name=\"m\"} 200\nsglang:cached_tokens_total{model_name=\"m\"} 50\n");

        Assert.Equal(new EngineCounters(1500, 750, 3), vllm);
        Assert.Equal(0.5, vllm.HitRate);
        Assert.Equal(0.25, sglang.HitRate);
        Assert.Equal(new EngineCounters(500, 250, 1), vllm.Minus(new EngineCounters(1000, 500, 2)));
    }

    [Fact]
    public void Of_Summary_ScalesTimesToSimulatedTimeAndCountsErrorsApart()
    {
        var settings = new RunSettings
        {
            Target = new Uri("http://127.0.0.1:1/"),
            Workload = new WorkloadFile { Name = "w" },
            Keys = ["k"],
            Label = "p2c",
            TimeScale = 10,
        };
        RequestRecord Ok(string tenant, double ttft) => new() { Tenant = tenant, Group = "g", Model = "m", Status = 200, TtftMs = ttft, E2eMs = ttft * 2, OutputTokens = 100 };
        List<RequestRecord> records = [Ok("g-1", 10), Ok("g-1", 20), Ok("g-2", 30), new() { Tenant = "g-2", Group = "g", Model = "m", Status = 429, Error = "slow down" }];
        records[0].Gaps.AddRange([1, 2]);

        var summary = RunSummary.Of(new RunResult(settings, records, WallMs: 1000, Engines: new EngineCounters(100, 40, 2)));

        Assert.Equal((4, 3), (summary.Requests, summary.Succeeded));
        Assert.Equal(1, summary.Errors["429: slow down"]);
        Assert.Equal(200, summary.Ttft.P50);            // 20 ms of wall time at time scale 10
        Assert.Equal(15, summary.InterToken.P50);
        Assert.Equal(10, summary.DurationSeconds);
        Assert.Equal(30, summary.OutputTokensPerSecond); // 300 tokens over 10 simulated seconds
        Assert.Equal(0.4, summary.Engines!.PrefixHitRate);
        Assert.Equal(["g-1", "g-2"], summary.Tenants.Select(t => t.Name));
        Assert.Equal(1, summary.Tenants[1].Errors);

        var markdown = MarkdownReport.Of(summary);
        Assert.Contains("| p2c | 1 | 4 | 1 | 0.30 | 30 | 200 |", markdown);
        Assert.Contains("| 429: slow down | 1 |", markdown);
        var svg = SvgPlot.Of([summary]);
        Assert.StartsWith("<svg", svg);
        Assert.Contains(">p2c<", svg);
        Assert.Equal(summary.Ttft, SummaryFile.Read(WriteTemp(summary)).Ttft);
    }

    private static string WriteTemp(RunSummary summary)
    {
        var path = Path.Combine(Path.GetTempPath(), $"llmhost-summary-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, SummaryFile.ToJson(summary));
        return path;
    }
}
