using LlmHost.Workload.Definition;
using LlmHost.Workload.Reporting;
using LlmHost.Workload.Running;

namespace LlmHost.Tests.Integration.Workload;

/// <summary>The workload tool against simulators with known timings: what it reports is what the engine did.</summary>
[Trait("Category", "Integration")]
[Collection(RunsAlone.Name)] // measures wall-clock latencies
public sealed class WorkloadToolTests
{
    private static WorkloadFile Workload(string tenants, bool stream = true) =>
        WorkloadLoader.Parse($"name: t\nduration: 5s\nstream: {(stream ? "true" : "false")}\nmodels: {{ names: [m] }}\ntenants:\n{tenants}");

    private static async Task<RunSummary> RunAsync(Uri target, WorkloadFile workload, IReadOnlyList<Uri>? metrics = null, IReadOnlyList<Uri>? direct = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        var settings = new RunSettings
        {
            Target = target, Workload = workload, Keys = ["k"], Drain = TimeSpan.FromSeconds(20),
            EngineMetrics = metrics ?? [], Direct = direct ?? [],
        };
        return RunSummary.Of(await new WorkloadRunner(settings, http).RunAsync());
    }

    [Fact]
    public async Task Run_FixedLatencySimulator_ReportsItsTtftWithinFivePercent()
    {
        // A long first token makes the 5 % window (50 ms) wider than a busy machine's scheduling hiccups.
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--ttft-ms", "1000", "--itl-ms", "20", "--jitter", "0");
        var workload = Workload("  - { name: u, users: 4, think_time: 100ms, user_tokens: { min: 20, max: 40 }, output_tokens: { min: 10, max: 10 } }");

        var summary = await RunAsync(sim.Address, workload);

        Assert.Empty(summary.Errors);
        Assert.True(summary.Succeeded >= 8, $"only {summary.Succeeded} requests");
        Assert.InRange(summary.Ttft.P50, 950, 1050); // within 5 %
        Assert.InRange(summary.InterToken.P50, 18, 30);
        Assert.Equal(summary.Succeeded * 10, summary.OutputTokens);
        Assert.InRange(summary.EndToEnd.P50, 950 + 9 * 18, 2 * (1050 + 9 * 30)); // the first token and nine gaps, at least
    }

    [Fact]
    public async Task Run_RooflineSimulator_ReportsPrefixHitsOfRepeatedSystemPrompts()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--engine-model", "roofline", "--gpu", "h100",
            "--model-profile", "llama-3.1-8b", "--enable-prompt-tokens-details");
        var workload = Workload("  - { name: t, count: 2, rate: 4, system_prompt: 400, turns: 3, conversations: 1, user_tokens: { min: 20, max: 20 }, output_tokens: { min: 8, max: 8 } }");

        var summary = await RunAsync(sim.Address, workload, metrics: [new Uri(sim.Address, "metrics")]);

        Assert.Empty(summary.Errors);
        Assert.NotNull(summary.Engines);
        // Two 400-token system prompts, each computed once, then answered from the cache with every earlier turn.
        Assert.InRange(summary.Engines.PrefixHitRate, 0.7, 1);
        Assert.Equal(summary.PromptTokens, summary.Engines.PrefixQueryTokens);
        Assert.Equal(summary.CachedPromptTokens, summary.Engines.PrefixHitTokens);
    }

    [Fact]
    public async Task Run_Direct_SendsEachTenantToItsOwnEngine()
    {
        await using var a = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var b = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var workload = Workload("""
              - { name: one, rate: 5, output_tokens: { min: 2, max: 2 } }
              - { name: two, rate: 10, output_tokens: { min: 2, max: 2 } }
            """, stream: false);

        var summary = await RunAsync(new Uri("http://127.0.0.1:9/"), workload, direct: [a.Address, b.Address]);

        Assert.Empty(summary.Errors);
        var one = summary.Groups.Single(g => g.Name == "one").Requests;
        var two = summary.Groups.Single(g => g.Name == "two").Requests;
        Assert.Equal((one, two), ((int)a.RequestsServed, (int)b.RequestsServed));
        Assert.True(two > one, $"the twice as busy tenant sent {two}, the other {one}");
    }
}
