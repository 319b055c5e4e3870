using System.Globalization;

namespace LlmHost.Workload.Running;

/// <summary>
/// The engine counters a run reports, read from an engine's Prometheus <c>/metrics</c> before and after the run:
/// prefix-cache queries and hits in tokens (vLLM <c>vllm:prefix_cache_*</c>; SGLang prompt and cached tokens) and
/// preemptions. Sums over every label set (one engine serves several models).
/// </summary>
public sealed record EngineCounters(double PrefixQueries, double PrefixHits, double Preemptions)
{
    private static readonly string[] QueryNames = ["vllm:prefix_cache_queries_total", "vllm:gpu_prefix_cache_queries_total", "sglang:prompt_tokens_total"];
    private static readonly string[] HitNames = ["vllm:prefix_cache_hits_total", "vllm:gpu_prefix_cache_hits_total", "sglang:cached_tokens_total"];
    private static readonly string[] PreemptionNames = ["vllm:num_preemptions_total", "sglang:num_retracted_reqs_total"];

    public static readonly EngineCounters Zero = new(0, 0, 0);

    public EngineCounters Minus(EngineCounters before) =>
        new(PrefixQueries - before.PrefixQueries, PrefixHits - before.PrefixHits, Preemptions - before.Preemptions);

    public EngineCounters Plus(EngineCounters other) =>
        new(PrefixQueries + other.PrefixQueries, PrefixHits + other.PrefixHits, Preemptions + other.Preemptions);

    public double HitRate => PrefixQueries > 0 ? PrefixHits / PrefixQueries : 0;

    public static EngineCounters Parse(string text)
    {
        double queries = 0, hits = 0, preemptions = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }
            var nameEnd = line.IndexOfAny('{', ' ');
            var valueStart = line.LastIndexOf(' ');
            if (nameEnd <= 0 || valueStart <= 0
                || !double.TryParse(line[(valueStart + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            var name = line[..nameEnd];
            if (Matches(name, QueryNames))
            {
                queries += value;
            }
            else if (Matches(name, HitNames))
            {
                hits += value;
            }
            else if (Matches(name, PreemptionNames))
            {
                preemptions += value;
            }
        }
        return new EngineCounters(queries, hits, preemptions);
    }

    public static async Task<EngineCounters?> ScrapeAsync(HttpClient http, Uri metrics, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await http.GetStringAsync(metrics, cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static bool Matches(ReadOnlySpan<char> name, string[] names)
    {
        foreach (var candidate in names)
        {
            if (name.SequenceEqual(candidate))
            {
                return true;
            }
        }
        return false;
    }
}
