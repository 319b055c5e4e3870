using LlmHost.Workload.Running;

namespace LlmHost.Workload.Reporting;

/// <summary>What a run reports (written as JSON, shown as Markdown): every time in simulated milliseconds, every
/// rate per simulated second.</summary>
public sealed record RunSummary(
    string Label,
    string Workload,
    string Target,
    double RateScale,
    double TimeScale,
    double DurationSeconds,
    int Requests,
    int Succeeded,
    Dictionary<string, int> Errors,
    double RequestsPerSecond,
    double OutputTokensPerSecond,
    long PromptTokens,
    long CachedPromptTokens,
    long OutputTokens,
    Distribution Ttft,
    Distribution InterToken,
    Distribution EndToEnd,
    EngineSummary? Engines,
    List<GroupSummary> Groups,
    List<GroupSummary> Tenants,
    List<double[]> TtftOverTime)
{
    public static RunSummary Of(RunResult result)
    {
        var settings = result.Settings;
        var scale = settings.TimeScale;
        var records = result.Records;
        var seconds = result.WallMs * scale / 1000;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        List<double> ttft = [], gaps = [], e2e = [];
        long prompt = 0, cached = 0, output = 0;
        var timeline = new List<double[]>(records.Count);
        foreach (var record in records)
        {
            if (!record.Succeeded)
            {
                var key = $"{record.Status}: {record.Error}";
                errors[key] = errors.GetValueOrDefault(key) + 1;
                continue;
            }
            ttft.Add(record.TtftMs);
            e2e.Add(record.E2eMs);
            gaps.AddRange(record.Gaps);
            prompt += record.PromptTokens;
            cached += record.CachedTokens;
            output += record.OutputTokens;
            timeline.Add([Math.Round(record.StartMs * scale / 1000, 3), Math.Round(record.TtftMs * scale, 1)]);
        }
        timeline.Sort((a, b) => a[0].CompareTo(b[0]));
        var succeeded = ttft.Count;
        return new RunSummary(
            settings.Label, settings.Workload.Name, settings.Direct.Count > 0 ? "direct" : settings.Target.ToString(),
            settings.RateScale, scale, Math.Round(seconds, 2), records.Count, succeeded, errors,
            seconds > 0 ? succeeded / seconds : 0, seconds > 0 ? output / seconds : 0, prompt, cached, output,
            Percentiles.Summarize(ttft, scale), Percentiles.Summarize(gaps, scale), Percentiles.Summarize(e2e, scale),
            result.Engines is { } engines ? new EngineSummary(engines.PrefixQueries, engines.PrefixHits, engines.HitRate, engines.Preemptions) : null,
            GroupSummary.By(records, r => r.Group, scale, seconds), GroupSummary.By(records, r => r.Tenant, scale, seconds), timeline);
    }
}

/// <summary>The engines' counters over the run (summed over every engine given).</summary>
public sealed record EngineSummary(double PrefixQueryTokens, double PrefixHitTokens, double PrefixHitRate, double Preemptions);

/// <summary>One tenant's (or tenant group's) share of a run.</summary>
public sealed record GroupSummary(string Name, int Requests, int Errors, double TtftP50, double TtftP90, double EndToEndP50, double OutputTokensPerSecond)
{
    public static List<GroupSummary> By(IReadOnlyList<RequestRecord> records, Func<RequestRecord, string> key, double scale, double seconds)
    {
        var groups = new SortedDictionary<string, List<RequestRecord>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var name = key(record);
            if (!groups.TryGetValue(name, out var list))
            {
                groups[name] = list = [];
            }
            list.Add(record);
        }
        var summaries = new List<GroupSummary>(groups.Count);
        foreach (var (name, list) in groups)
        {
            List<double> ttft = [], e2e = [];
            long output = 0;
            foreach (var record in list)
            {
                if (record.Succeeded)
                {
                    ttft.Add(record.TtftMs);
                    e2e.Add(record.E2eMs);
                    output += record.OutputTokens;
                }
            }
            var t = Percentiles.Summarize(ttft, scale);
            summaries.Add(new GroupSummary(name, list.Count, list.Count - ttft.Count, t.P50, t.P90,
                Percentiles.Summarize(e2e, scale).P50, seconds > 0 ? output / seconds : 0));
        }
        return summaries;
    }
}
