using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Monitoring;

/// <summary>
/// Every PromQL query of every Grafana dashboard under monitoring/grafana/dashboards, run against a real Prometheus
/// that scraped a gateway and two simulators (vLLM with a LoRA adapter, SGLang) under a little traffic: each must
/// parse and return data. Grafana itself needs a container engine; its dashboards are proven here without one.
/// </summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public class DashboardQueryTests
{
    private static string HostPort(Uri address) => $"{address.Host}:{address.Port}";

    public static TheoryData<string> Dashboards() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "monitoring", "grafana", "dashboards"), "*.json").Select(f => Path.GetFileName(f)).Order()];

    /// <summary>The template variables' <c>label_values(selector, label)</c> queries, as (selector, label).</summary>
    private static List<(string Selector, string Label)> VariableQueries(string dashboard)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "monitoring", "grafana", "dashboards", dashboard)));
        var result = new List<(string, string)>();
        foreach (var variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var definition = variable.GetProperty("definition").GetString()!;
            Assert.StartsWith("label_values(", definition);
            var arguments = definition["label_values(".Length..^1];
            var comma = arguments.LastIndexOf(',');
            result.Add((arguments[..comma].Trim(), arguments[(comma + 1)..].Trim()));
        }
        return result;
    }

    // Values the scripted traffic below has (a panel filtering on a misspelt label finds nothing with them); others "All".
    private static readonly Dictionary<string, string> Chosen = new() { ["model"] = "qwen", ["key_id"] = "testuser" };

    /// <summary>Each panel's queries, with Grafana's variables replaced by a value the traffic has, or as Grafana would for "All".</summary>
    private static List<(string Panel, string Query)> Queries(string dashboard)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "monitoring", "grafana", "dashboards", dashboard)));
        var root = document.RootElement;
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToList();
        var queries = new List<(string, string)>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            Assert.Equal("prometheus", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var query = target.GetProperty("expr").GetString()!.Replace("$__rate_interval", "30s", StringComparison.Ordinal);
                foreach (var variable in variables)
                {
                    query = query.Replace("$" + variable, Chosen.GetValueOrDefault(variable, ".*"), StringComparison.Ordinal);
                }
                Assert.DoesNotContain("$", query);
                queries.Add((panel.GetProperty("title").GetString()!, query));
            }
        }
        return queries;
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public async Task EveryPanelQuery_AgainstScrapedStack_ParsesAndReturnsData(string dashboard)
    {
        var queries = Queries(dashboard);
        Assert.NotEmpty(queries);
        await using var vllm = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/qwen", "--served-model-name", "qwen", "--lora-modules", "sql=/sql", "--itl-ms", "2");
        await using var sglang = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "llama", "--itl-ms", "2", "--enable-metrics");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h, flow_control: { enabled: true, max_in_flight_per_instance: 2 } }
            limits: { defaults: { qps: 20, burst: 10, concurrency: 0, tpm: 10000000 } }
            backends:
              - { name: vllm-qwen, engine: vllm, mode: external, model: org/qwen, served_model_name: qwen, url: "{{vllm.Address}}" }
              - { name: sglang-llama, engine: sglang, mode: external, model: llama, url: "{{sglang.Address}}" }
            """);
        await using var prometheus = await PrometheusServer.StartAsync(
            ("gateway", [HostPort(gateway.Address)]), ("vllm-qwen", [HostPort(vllm.Address)]), ("sglang-llama", [HostPort(sglang.Address)]));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        // Three bursts a couple of scrapes apart: rates need two samples, and each burst goes past the QPS burst.
        for (var burst = 0; burst < 3; burst++)
        {
            var requests = new List<Task<HttpResponseMessage>>();
            foreach (var model in new[] { "qwen", "sql", "llama" })
            {
                for (var i = 0; i < 5; i++)
                {
                    requests.Add(user.PostAsync("/v1/chat/completions", Json.Body(
                        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello there"}],"max_tokens":8,"ignore_eos":true,"stream":{{(i % 2 == 0 ? "true" : "false")}}}""")));
                }
            }
            var statuses = (await Task.WhenAll(requests)).Select(r => r.StatusCode).ToList();
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"unexpected {s}"));
            await Task.Delay(2500);
        }

        var empty = new List<string>();
        foreach (var (panel, query) in queries)
        {
            var response = await prometheus.Client.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(body.GetProperty("status").GetString() == "success", $"'{panel}': {query} → {body}");
            if (body.GetProperty("data").GetProperty("result").GetArrayLength() == 0)
            {
                empty.Add($"'{panel}': {query}");
            }
        }
        foreach (var (selector, label) in VariableQueries(dashboard))
        {
            var values = await Json.GetAsync(prometheus.Client, $"/api/v1/label/{label}/values?match[]={Uri.EscapeDataString(selector)}");
            if (values.GetProperty("data").GetArrayLength() == 0)
            {
                empty.Add($"variable label_values({selector}, {label})");
            }
        }
        Assert.True(empty.Count == 0, "queries without data:\n" + string.Join("\n", empty));
    }
}
