using System.Diagnostics;
using LlmHost.Workload.Definition;
using LlmHost.Workload.Generation;

namespace LlmHost.Workload.Running;

/// <summary>
/// Replays a workload: one arrival loop per open-loop tenant (Poisson), one loop per closed-loop user, every request
/// timed by <see cref="RequestSender"/>. Requests sent before the end may finish within the drain time.
/// </summary>
public sealed class WorkloadRunner(RunSettings settings, HttpClient http, TextWriter? progress = null)
{
    private readonly List<RequestRecord> _records = [];
    private readonly List<Task> _sends = [];
    private readonly Stopwatch _clock = new();
    private readonly RequestSender _sender = new(http, settings.Workload.Stream, settings.Workload.IgnoreEos);
    private int _inFlight;
    private long _lastCompletionTicks;

    public int Sent { get; private set; }

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var tenants = CreateTenants();
        var before = await ScrapeAsync(cancellationToken);
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopProgress = new CancellationTokenSource();
        _clock.Start();
        var progressLoop = progress is null ? Task.CompletedTask : new ProgressLine(progress, settings, _clock, Snapshot).RunAsync(stopProgress.Token);
        var loops = new List<Task>();
        foreach (var tenant in tenants)
        {
            if (tenant.Group.IsClosedLoop)
            {
                var users = Math.Max(1, (int)Math.Round(tenant.Group.Users * settings.RateScale));
                for (var user = 0; user < users; user++)
                {
                    loops.Add(ClosedLoopAsync(tenant, user, cut.Token));
                }
            }
            else
            {
                loops.Add(OpenLoopAsync(tenant, cut.Token));
            }
        }
        await Task.Delay(settings.WallDuration, cancellationToken);
        var all = Task.WhenAll(loops.Concat(SendsSnapshot()));
        if (await Task.WhenAny(all, Task.Delay(settings.Drain, cancellationToken)) != all)
        {
            await cut.CancelAsync();
        }
        await Task.WhenAll(loops);
        await Task.WhenAll(SendsSnapshot());
        await stopProgress.CancelAsync();
        await progressLoop;
        var after = await ScrapeAsync(cancellationToken);
        var wallMs = Math.Max(settings.WallDuration.TotalMilliseconds, TimeSpan.FromTicks(Interlocked.Read(ref _lastCompletionTicks)).TotalMilliseconds);
        return new RunResult(settings, _records, wallMs, after is null || before is null ? null : after.Minus(before));
    }

    private List<Tenant> CreateTenants()
    {
        if (settings.Keys.Count == 0)
        {
            throw new WorkloadException("no API key: give --key or --keys-file");
        }
        var workload = settings.Workload;
        var tenants = new List<Tenant>(workload.TenantCount);
        for (var g = 0; g < workload.Tenants.Count; g++)
        {
            var group = workload.Tenants[g];
            var shared = group.SharedPrompt > 0 ? PromptText.Of(new Random(Seeds.Of(workload.Seed, g, -1)), group.SharedPrompt) : null;
            for (var i = 0; i < group.Count; i++)
            {
                tenants.Add(new Tenant(workload, group, g, i, settings.Keys[tenants.Count % settings.Keys.Count], shared));
            }
        }
        return tenants;
    }

    private async Task OpenLoopAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        var target = TargetOf(tenant);
        var at = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            at += tenant.NextArrivalGap() / (settings.TimeScale * settings.RateScale);
            if (at >= settings.WallDuration)
            {
                return;
            }
            var wait = at - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            var send = SendAsync(tenant.Plan(), target, cancellationToken);
            lock (_sends)
            {
                _sends.Add(send);
            }
        }
    }

    private async Task ClosedLoopAsync(Tenant tenant, int user, CancellationToken cancellationToken)
    {
        var target = TargetOf(tenant);
        // Users start spread over the first think time, not all in the same instant.
        var wait = tenant.ThinkTime() / settings.TimeScale;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_clock.Elapsed >= settings.WallDuration || cancellationToken.IsCancellationRequested)
            {
                return;
            }
            await SendAsync(tenant.Plan(user), target, cancellationToken);
            wait = tenant.ThinkTime() / settings.TimeScale;
        }
    }

    private async Task SendAsync(PlannedRequest plan, Uri target, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        lock (_records)
        {
            Sent++;
        }
        var record = await _sender.SendAsync(plan, target, _clock.Elapsed.TotalMilliseconds, cancellationToken);
        Interlocked.Decrement(ref _inFlight);
        var now = _clock.Elapsed.Ticks;
        long last;
        while ((last = Interlocked.Read(ref _lastCompletionTicks)) < now && Interlocked.CompareExchange(ref _lastCompletionTicks, now, last) != last)
        {
        }
        lock (_records)
        {
            _records.Add(record);
        }
    }

    private Uri TargetOf(Tenant tenant)
    {
        if (settings.Direct.Count == 0)
        {
            return settings.Target;
        }
        var index = 0;
        foreach (var group in settings.Workload.Tenants[..tenant.GroupIndex])
        {
            index += group.Count;
        }
        return settings.Direct[(index + tenant.Index) % settings.Direct.Count];
    }

    private Task[] SendsSnapshot()
    {
        lock (_sends)
        {
            return [.. _sends];
        }
    }

    private ProgressSnapshot Snapshot(int from)
    {
        lock (_records)
        {
            var ttfts = new List<double>();
            var errors = 0;
            for (var i = 0; i < _records.Count; i++)
            {
                if (!_records[i].Succeeded)
                {
                    errors++;
                }
                else if (i >= from)
                {
                    ttfts.Add(_records[i].TtftMs);
                }
            }
            return new ProgressSnapshot(Sent, _records.Count, errors, Volatile.Read(ref _inFlight), ttfts);
        }
    }

    private async Task<EngineCounters?> ScrapeAsync(CancellationToken cancellationToken)
    {
        if (settings.EngineMetrics.Count == 0)
        {
            return null;
        }
        var total = EngineCounters.Zero;
        foreach (var url in settings.EngineMetrics)
        {
            if (await EngineCounters.ScrapeAsync(http, url, cancellationToken) is not { } counters)
            {
                return null;
            }
            total = total.Plus(counters);
        }
        return total;
    }
}
