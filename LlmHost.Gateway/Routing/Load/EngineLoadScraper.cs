using System.Diagnostics;
using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.ControlPlane;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Routing.Load;

/// <summary>
/// Reads every instance's <c>/metrics</c> each <c>routing.load.scrape_interval</c> while a model is routed by a policy
/// that uses engine load (<c>load_aware</c>, <c>prefix_aware</c>) or flow control is on; off the request path, with a timeout of its own and
/// no retry. An instance whose last read failed or is stale is judged by the gateway's own in-flight count alone.
/// </summary>
public sealed class EngineLoadScraper(IOptionsMonitor<LlmHostConfig> config, BackendPool pool, EngineControl control, ILogger<EngineLoadScraper> logger) : BackgroundService
{
    /// <summary>More than this much text is not read (a real engine's page is tens of kilobytes).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>Longest wait for one engine's metrics.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long an instance whose read failed is left alone (its load judged by in-flight counts meanwhile).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _retryAt = new(StringComparer.Ordinal);

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
        if (routing.FlowControl.Enabled || RoutingPolicies.Parse(routing.Policy) is RoutingPolicy.LoadAware or RoutingPolicy.PrefixAware)
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

    // A read that fails leaves the instance's load unknown and is not tried again for a while; it never goes through
    // the control plane's breaker, so an engine without metrics (SGLang without --enable-metrics, a proxy answering 404)
    // cannot make a healthy instance look down to the health probes.
    private async Task ScrapeAsync(BackendInstance instance, CancellationToken cancellationToken)
    {
        if (!instance.Available || (_retryAt.TryGetValue(instance.Name, out var retryAt) && Stopwatch.GetTimestamp() < retryAt))
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            using var request = instance.Get(instance.Backend.Profile.MetricsPath);
            using var response = await control.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            // When the engine wrote its page (as near as the gateway can tell): flow control counts requests since.
            var inFlight = instance.Outstanding;
            if (!response.IsSuccessStatusCode)
            {
                Failed(instance, $"status {(int)response.StatusCode}");
                return;
            }
            var reader = new EngineLoad.Reader(instance.Backend.Profile);
            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var text = new StreamReader(new BoundedStream(body, MaxBytes), Encoding.UTF8);
            while (await text.ReadLineAsync(timeout.Token) is { } line)
            {
                reader.Line(line);
            }
            instance.Load = reader.Result(Stopwatch.GetTimestamp(), inFlight);
            _retryAt.TryRemove(instance.Name, out _);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Failed(instance, ex is OperationCanceledException ? "timed out" : ex.GetType().Name);
        }
    }

    // Logged as a warning when an instance starts failing, then at debug level while it goes on (every 10 s).
    private void Failed(BackendInstance instance, string reason)
    {
        if (_retryAt.ContainsKey(instance.Name))
        {
            LoadLog.StillFailing(logger, instance.Name, reason);
        }
        else
        {
            LoadLog.ReadFailed(logger, instance.Name, reason);
        }
        instance.Load = null;
        _retryAt[instance.Name] = Stopwatch.GetTimestamp() + (long)(RetryAfterFailure.TotalSeconds * Stopwatch.Frequency);
    }
}
