using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>/metrics carries the imitated engine's names, labels and values (shared/reference/backends.md §4).</summary>
[Trait("Category", "Integration")]
public partial class SimulatorMetricsTests
{
    private static double Sample(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        throw new Xunit.Sdk.XunitException($"series {series} not found in:\n{metrics}");
    }

    [Fact]
    public async Task VllmMetrics_AfterRequests_CountTokensAndFinishReasons()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/m", "--served-model-name", "m", "--lora-modules", "a=/a", "--max-loras", "2");
        for (var i = 0; i < 3; i++)
        {
            await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"one two"}],"max_tokens":2,"ignore_eos":true}""");
        }

        var response = await sim.Client.GetAsync("/metrics");
        var metrics = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        const string Labels = "{model_name=\"m\",engine=\"0\"}";
        Assert.Equal(3 * 9, Sample(metrics, "vllm:prompt_tokens_total" + Labels));
        Assert.Equal(3 * 2, Sample(metrics, "vllm:generation_tokens_total" + Labels));
        Assert.Equal(3, Sample(metrics, "vllm:request_success_total{model_name=\"m\",engine=\"0\",finished_reason=\"length\"}"));
        Assert.Equal(0, Sample(metrics, "vllm:num_requests_running" + Labels));
        Assert.Equal(0, Sample(metrics, "vllm:num_requests_waiting" + Labels));
        Assert.Equal(3, Sample(metrics, "vllm:e2e_request_latency_seconds_count" + Labels));
        Assert.Equal(3, Sample(metrics, "vllm:time_to_first_token_seconds_bucket{model_name=\"m\",engine=\"0\",le=\"+Inf\"}"));
        Assert.Equal(3, Sample(metrics, "vllm:request_prompt_tokens_bucket{model_name=\"m\",engine=\"0\",le=\"10.0\"}"));
        Assert.Contains("# TYPE vllm:kv_cache_usage_perc gauge", metrics);
        Assert.Contains("# TYPE vllm:inter_token_latency_seconds histogram", metrics);
        Assert.Contains("vllm:cache_config_info{block_size=\"16\"", metrics);
        Assert.Matches(LoraInfo(), metrics);
    }

    [Fact]
    public async Task VllmMetrics_WithoutLora_HasNoLoraInfo()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");

        Assert.DoesNotContain("vllm:lora_requests_info", await sim.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task SglangMetrics_OnlyWithEnableMetrics_AndSglangNames()
    {
        await using var without = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m");
        await using var with = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--enable-metrics");
        await Json.PostAsync(with.Client, "/v1/completions", """{"model":"m","prompt":"a b c","max_tokens":4,"ignore_eos":true}""");

        var metrics = await with.Client.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, (await without.Client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(3, Sample(metrics, "sglang:prompt_tokens_total{model_name=\"m\"}"));
        Assert.Equal(4, Sample(metrics, "sglang:generation_tokens_total{model_name=\"m\"}"));
        Assert.Equal(1, Sample(metrics, "sglang:num_requests_total{model_name=\"m\"}"));
        foreach (var name in (string[])["sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage", "sglang:gen_throughput", "sglang:cache_hit_rate"])
        {
            Assert.Contains($"# TYPE {name} gauge", metrics);
        }
        Assert.Contains("# TYPE sglang:time_to_first_token_seconds histogram", metrics);
        Assert.DoesNotContain("vllm:", metrics);
    }

    [Fact]
    public async Task Metrics_WhileRequestsRun_ShowRunningAndWaiting()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--max-num-seqs", "1", "--ttft-ms", "2000");
        const string Labels = "{model_name=\"m\",engine=\"0\"}";
        var first = Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":1}""");
        var second = Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[],"max_tokens":1}""");

        // Poll while the first request holds the only slot (2 s): a loaded machine may take a while to deliver both.
        string? during = null;
        var deadline = DateTime.UtcNow.AddMilliseconds(1800);
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await sim.Client.GetStringAsync("/metrics");
            if (Sample(metrics, "vllm:num_requests_waiting" + Labels) == 1)
            {
                during = metrics;
                break;
            }
            await Task.Delay(25);
        }
        await Task.WhenAll(first, second);
        var after = await sim.Client.GetStringAsync("/metrics");

        Assert.NotNull(during);
        Assert.Equal(1, Sample(during, "vllm:num_requests_running" + Labels));
        Assert.True(Sample(during, "vllm:kv_cache_usage_perc" + Labels) > 0);
        Assert.Equal(0, Sample(after, "vllm:num_requests_waiting" + Labels));
        Assert.Equal(0, Sample(after, "vllm:num_requests_running" + Labels));
    }

    [GeneratedRegex("vllm:lora_requests_info\\{max_lora=\"2\",running_lora_adapters=\"\",waiting_lora_adapters=\"\"\\} \\d+\\.\\d+")]
    private static partial Regex LoraInfo();
}
