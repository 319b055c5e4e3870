using System.Globalization;
using System.Text;

namespace LlmHost.Workload.Reporting;

/// <summary>Markdown tables of one run (with its tenants) or of several runs side by side.</summary>
public static class MarkdownReport
{
    private const string Header =
        "| run | rate × | requests | errors | req/s | output tok/s | TTFT p50 | TTFT p90 | TTFT p99 | ITL p50 | ITL p90 | e2e p50 | e2e p90 | prefix hit rate | preemptions |";

    public static string Compare(IEnumerable<RunSummary> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(Header);
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            Row(text, run);
        }
        text.AppendLine().AppendLine("Times in ms of simulated time; rates per simulated second; hit rate and preemptions from the engines' /metrics.");
        return text.ToString();
    }

    public static string Of(RunSummary run)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"## {run.Workload} · {run.Label} (rate × {run.RateScale:0.##}, {run.DurationSeconds:F0} s)")).AppendLine();
        text.Append(Compare([run])).AppendLine();
        Groups(text, "tenant group", run.Groups);
        if (run.Tenants.Count > 1 && run.Tenants.Count != run.Groups.Count)
        {
            Groups(text, "tenant", run.Tenants);
        }
        if (run.Errors.Count > 0)
        {
            text.AppendLine("| error | count |").AppendLine("|---|---:|");
            foreach (var (error, count) in run.Errors)
            {
                text.AppendLine(Invariant($"| {error.Replace('|', '/')} | {count} |"));
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static void Row(StringBuilder text, RunSummary run)
    {
        var hitRate = run.Engines is { } engines ? Invariant($"{engines.PrefixHitRate:P1}") : "-";
        var preemptions = run.Engines is { } e ? Invariant($"{e.Preemptions:F0}") : "-";
        text.AppendLine(Invariant(
            $"| {run.Label} | {run.RateScale:0.##} | {run.Requests} | {run.Requests - run.Succeeded} | {run.RequestsPerSecond:F2} | {run.OutputTokensPerSecond:F0} | {run.Ttft.P50:F0} | {run.Ttft.P90:F0} | {run.Ttft.P99:F0} | {run.InterToken.P50:F1} | {run.InterToken.P90:F1} | {run.EndToEnd.P50:F0} | {run.EndToEnd.P90:F0} | {hitRate} | {preemptions} |"));
    }

    private static void Groups(StringBuilder text, string title, List<GroupSummary> groups)
    {
        text.AppendLine(Invariant($"| {title} | requests | errors | TTFT p50 | TTFT p90 | e2e p50 | output tok/s |"));
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var group in groups)
        {
            text.AppendLine(Invariant($"| {group.Name} | {group.Requests} | {group.Errors} | {group.TtftP50:F0} | {group.TtftP90:F0} | {group.EndToEndP50:F0} | {group.OutputTokensPerSecond:F0} |"));
        }
        text.AppendLine();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
