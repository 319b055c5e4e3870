using System.Globalization;
using System.Net;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>The whole stack from the shipped config: client → Nginx → gateway → the right simulator; Prometheus scraping.</summary>
[Trait("Category", "EndToEnd")]
public class EndToEndTests(EndToEndFixture fixture) : IClassFixture<EndToEndFixture>
{
    /// <summary>The development user key shipped in config/api_keys.json (see docs/QUICKSTART.md).</summary>
    public const string DevKey = "sk-llmhost-dev-LocalDevelopmentOnlyReplaceBeforeDeploying";

    private HttpClient Edge()
    {
        var client = fixture.App.CreateHttpClient("nginx", "http");
        client.DefaultRequestHeaders.Authorization = new("Bearer", DevKey);
        return client;
    }

    private async Task<double> SimulatorSuccessCount(string resource, string metric)
    {
        using var client = fixture.App.CreateHttpClient(resource, "http");
        var metrics = await client.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith(metric, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("qwen2.5-7b-instruct", "vllm-qwen", "vllm:request_success_total")]
    [InlineData("llama-3.1-8b-instruct", "sglang-llama", "sglang:num_requests_total")]
    public async Task ChatThroughNginx_ReachesTheSimulatorServingTheModel(string model, string simulator, string counter)
    {
        using var edge = Edge();
        var before = await SimulatorSuccessCount(simulator, counter);

        var (response, body) = await Json.PostAsync(edge, "/v1/chat/completions",
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}],"max_tokens":4}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(model, body.GetProperty("model").GetString());
        Assert.Equal(4, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(before + 1, await SimulatorSuccessCount(simulator, counter));
    }

    [Theory]
    [InlineData("gateway")] // straight to the gateway
    [InlineData("nginx")] // through the edge, then a gateway
    public async Task SendTestChatCommand_OnGatewayOrEdge_AnswersThroughTheStack(string resource)
    {
        var before = await SimulatorSuccessCount("vllm-qwen", "vllm:request_success_total");
        var commands = fixture.App.Services.GetRequiredService<Aspire.Hosting.ApplicationModel.ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync(resource, LlmHost.AppHost.Hosting.Gateway.GatewayDashboardBuilderExtensions.TestChatCommand);

        Assert.True(result.Success, result.Message);
        Assert.StartsWith("qwen2.5-7b-instruct answered: ", result.Message);
        Assert.Equal(before + 1, await SimulatorSuccessCount("vllm-qwen", "vllm:request_success_total"));
    }

    [Theory]
    [InlineData("sql-lora", "vllm-qwen", "vllm:request_success_total")]
    [InlineData("llama-3.1-8b-instruct", "sglang-llama", "sglang:num_requests_total")]
    public async Task StreamThroughNginx_ArrivesAsSseAndReachesTheRightSimulator(string model, string simulator, string counter)
    {
        using var edge = Edge();
        var before = await SimulatorSuccessCount(simulator, counter);

        var response = await edge.PostAsync("/v1/chat/completions",
            Json.Body($$$"""{"model":"{{{model}}}","messages":[{"role":"user","content":"Hi"}],"max_tokens":5,"stream":true,"stream_options":{"include_usage":true}}"""));
        var chunks = Sse.JsonChunks(Sse.ParseEvents(await response.Content.ReadAsStringAsync()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.All(chunks, c => Assert.Equal(model, c.GetProperty("model").GetString()));
        Assert.Equal(5, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(before + 1, await SimulatorSuccessCount(simulator, counter));
    }

    [Fact]
    public async Task ModelsThroughNginx_ListsBothBackendsAndTheAdapter()
    {
        using var edge = Edge();

        var ids = (await Json.GetAsync(edge, "/v1/models")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();

        Assert.Equal(["llama-3.1-8b-instruct", "qwen2.5-7b-instruct", "sql-lora"], ids);
    }

    [Fact]
    public async Task Prometheus_ReportsEveryScrapeTargetUp()
    {
        using var prometheus = fixture.App.CreateHttpClient("prometheus", "http");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<(string Job, string Health)> targets = [];
        while (DateTime.UtcNow < deadline)
        {
            var body = await Json.GetAsync(prometheus, "/api/v1/targets");
            targets = body.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Select(t => (t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("health").GetString()!))
                .ToList();
            if (targets.Count == 3 && targets.All(t => t.Health == "up"))
            {
                break;
            }
            await Task.Delay(1000);
        }

        Assert.Equal(["gateway", "sglang-llama", "vllm-qwen"], targets.Select(t => t.Job).Order());
        Assert.All(targets, t => Assert.Equal("up", t.Health));
    }

    [Fact]
    public async Task GatewayErrorsThroughNginx_KeepOpenAIShape()
    {
        using var edge = Edge();

        var (response, body) = await Json.PostAsync(edge, "/v1/chat/completions", """{"model":"no-such-model","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model_not_found", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.String, body.GetProperty("error").GetProperty("message").ValueKind);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/METRICS")]
    [InlineData("//metrics")]
    [InlineData("/%6Detrics")]
    [InlineData("/metrics/")]
    public async Task Metrics_ThroughTheEdge_AreRefused(string path)
    {
        // By hand: HttpClient would read "//metrics" as a URL of its own.
        var answer = await RawHttp.SendAsync(fixture.App.GetEndpoint("nginx", "http"), RawHttp.Request("GET", path, DevKey), TimeSpan.FromSeconds(10));

        Assert.Equal(403, answer.Status);
        Assert.DoesNotContain("llmhost_gateway", answer.Body);
    }

    [Fact]
    public async Task Metrics_FromTheGatewayItself_AreServed()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway", "http");

        Assert.Contains("llmhost_gateway_models", await gateway.GetStringAsync("/metrics"));
    }
}
