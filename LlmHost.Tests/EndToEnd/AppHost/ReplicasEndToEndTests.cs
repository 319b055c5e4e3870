using System.Globalization;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>
/// The AppHost with <c>gateway.replicas: 2</c> and <c>limits.store: redis</c>: Debian's redis-server as a resource,
/// Nginx in front of both replicas, and one QPS limit shared by both.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(RunsAlone.Name)] // a shared token bucket counted over seconds: the rest of the suite must not stall it
public sealed class ReplicasEndToEndTests : IAsyncLifetime
{
    private const string AdminKey = "sk-llmhost-devadmin-LocalDevelopmentOnlyReplaceBeforeDeploying";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"llmhost-replicas-{Guid.NewGuid():N}");
    private DistributedApplication _app = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $$"""
            gateway: { replicas: 2 }
            limits: { store: redis, defaults: { qps: 0.5, burst: 3, concurrency: 0, tpm: 0 } }
            backends:
              - { name: sim, engine: vllm, mode: simulator, model: m, simulator: { ttft_ms: 1, itl_ms: 1 } }
            edge: { enabled: true, port: 0 }
            monitoring: { prometheus: { enabled: false }, grafana: { enabled: false } }
            logging: { dir: "{{_directory}}/logs" }
            """);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LlmHost_AppHost>(
            ["--LlmHost:Config=" + config, "--LlmHost:Containers=off", "--LlmHost:EdgePort=0", "--LlmHost:RunDirectory=" + Path.Combine(_directory, "run")],
            cancellation.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        _app = await builder.BuildAsync(cancellation.Token);
        await _app.StartAsync(cancellation.Token);
        foreach (var resource in (string[])["sim", "redis", "gateway-1", "gateway-2", "nginx"])
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellation.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<double> Rejections(string gateway)
    {
        using var client = _app.CreateHttpClient(gateway, "http");
        var metrics = await client.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(line => line.StartsWith("llmhost_gateway_rejections_total{", StringComparison.Ordinal) && line.Contains("key_id=\"devadmin\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TwoReplicasBehindNginx_ShareOneQpsLimitThroughRedis()
    {
        using var edge = _app.CreateHttpClient("nginx", "http");
        edge.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await edge.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1}"""));
            statuses.Add(response.StatusCode);
        }

        // A burst of 3 and one more every 2 s: per-replica limits would have let 6 or more through.
        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(admitted, 3, 4);
        Assert.Equal(12 - admitted, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        // Nginx spread the requests: both replicas refused some, from the same shared budget.
        Assert.True(await Rejections("gateway-1") > 0, "gateway-1 refused nothing");
        Assert.True(await Rejections("gateway-2") > 0, "gateway-2 refused nothing");
        using var admin = _app.CreateHttpClient("gateway-1", "http");
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        var limits = await Json.GetAsync(admin, "/admin/limits");
        Assert.Equal("redis", limits.GetProperty("store").GetString());
        Assert.True(limits.GetProperty("shared").GetBoolean());
    }
}
