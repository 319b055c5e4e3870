using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Routing;

/// <summary>
/// Polls every backend instance's <c>/v1/models</c> each <c>routing.discovery_interval</c> and republishes the
/// routing table. An instance that does not answer is marked unhealthy and keeps its last known models, so a
/// short outage does not make its models vanish; it is skipped by the selector until it answers again.
/// </summary>
public sealed class ModelDiscoveryService(
    GatewayConfig config,
    BackendPool pool,
    RouteRegistry registry,
    IHttpClientFactory httpClientFactory,
    ILogger<ModelDiscoveryService> logger) : BackgroundService
{
    public const string HttpClientName = "backend-control";
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(config.DiscoveryInterval);
        do
        {
            await DiscoverOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task DiscoverOnceAsync(CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        var probes = new Task[pool.All.Count];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = ProbeAsync(client, pool.All[i], cancellationToken);
        }
        await Task.WhenAll(probes);
        var table = RoutingTable.Build(config.Settings, pool);
        if (registry.Current.Count != table.Count)
        {
            GatewayLog.RoutingTableChanged(logger, table.Count);
        }
        registry.Publish(table);
    }

    private async Task ProbeAsync(HttpClient client, BackendInstance instance, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{instance.Address}/v1/models");
            if (instance.ApiKey is { } key)
            {
                request.Headers.Authorization = new("Bearer", key);
            }
            using var response = await client.SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            var list = await response.Content.ReadFromJsonAsync(OpenAIJsonContext.Default.ModelList, timeout.Token);
            instance.Models = list?.Data ?? [];
            if (!instance.Healthy)
            {
                GatewayLog.BackendRecovered(logger, instance.Name);
            }
            instance.Healthy = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            if (instance.Healthy)
            {
                GatewayLog.BackendUnreachable(logger, instance.Name, instance.Address, ex.Message);
            }
            instance.Healthy = false;
        }
    }
}
