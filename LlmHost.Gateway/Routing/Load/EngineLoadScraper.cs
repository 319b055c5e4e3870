using System.Diagnostics;
using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.ControlPlane;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Routing.Load;

/// <summary>
/// Reads every instance's <c>/metrics</c> each <c>routing.load.scrape_interval</c> while a model is routed by a policy
/// that uses engine load (<c>load_aware</c>, <c>prefix_aware</c>); off the request path, through the control plane
/// (timeout, retries, breaker). An instance whose last read failed or is stale is judged by the gateway's own
/// in-flight count alone.
/// </summary>
public sealed class EngineLoadScraper(IOptionsMonitor<LlmHostConfig> config, BackendPool pool, EngineControl control, ILogger<EngineLoadScraper> logger) : BackgroundService
{
    /// <summary>More than this much text is not read (a real engine's page is tens of kilobytes).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var routing = config.CurrentValue.Routing;
            if (UsesEngineLoad(routing))
            {
                try
                {
                    await ScrapeOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LoadLog.RoundFailed(logger, ex);
                }
            }
            try
            {
                await Task.Delay(routing.Load.ScrapeInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static bool UsesEngineLoad(RoutingSettings routing)
    {
        if (RoutingPolicies.Parse(routing.Policy) is RoutingPolicy.LoadAware or RoutingPolicy.PrefixAware)
        {
            return true;
        }
        foreach (var policy in routing.Policies.Values)
        {
            if (RoutingPolicies.Parse(policy) is RoutingPolicy.LoadAware or RoutingPolicy.PrefixAware)
            {
                return true;
            }
        }
        return false;
    }

    public async Task ScrapeOnceAsync(CancellationToken cancellationToken)
    {
        var instances = pool.All;
        var reads = new Task[instances.Count];
        for (var i = 0; i < reads.Length; i++)
        {
            reads[i] = ScrapeAsync(instances[i], cancellationToken);
        }
        await Task.WhenAll(reads);
    }

    private async Task ScrapeAsync(BackendInstance instance, CancellationToken cancellationToken)
    {
        if (!instance.Available)
        {
            return;
        }
        try
        {
            await control.ReadAsync(instance.Name, async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, instance.Address + instance.Backend.Profile.MetricsPath);
                if (instance.ApiKey is { } key)
                {
                    request.Headers.Authorization = new("Bearer", key);
                }
                using var response = await control.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                response.EnsureSuccessStatusCode();
                var reader = new EngineLoad.Reader(instance.Backend.Profile);
                await using var body = await response.Content.ReadAsStreamAsync(token);
                using var text = new StreamReader(new BoundedStream(body, MaxBytes), Encoding.UTF8);
                while (await text.ReadLineAsync(token) is { } line)
                {
                    reader.Line(line);
                }
                instance.Load = reader.Result(Stopwatch.GetTimestamp());
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or Polly.ExecutionRejectedException
            && !cancellationToken.IsCancellationRequested)
        {
            // The health probe reports an engine that does not answer; its load is judged by in-flight counts meanwhile.
            instance.Load = null;
        }
    }
}
