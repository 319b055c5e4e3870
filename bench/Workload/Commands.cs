using LlmHost.Workload.Definition;
using LlmHost.Workload.Reporting;
using LlmHost.Workload.Running;

namespace LlmHost.Workload;

/// <summary>The tool's three commands.</summary>
public static class Commands
{
    private static readonly HashSet<string> RunOptions =
        ["url", "workload", "key", "keys-file", "label", "time-scale", "rate-scale", "duration", "drain", "engine-metrics", "direct", "out", "name"];

    public static async Task<int> RunAsync(string[] args)
    {
        var line = new CommandLine(args, RunOptions);
        var workloadPath = line.Required("workload");
        var workload = WorkloadLoader.Load(workloadPath);
        var keys = line.All("key");
        if (line.String("keys-file") is { } keysFile)
        {
            foreach (var key in File.ReadAllLines(keysFile))
            {
                if (key.Trim() is { Length: > 0 } trimmed && !trimmed.StartsWith('#'))
                {
                    keys.Add(trimmed);
                }
            }
        }
        var settings = new RunSettings
        {
            Target = CommandLine.Url(line.Required("url")),
            Workload = workload,
            Keys = keys,
            Label = line.String("label") ?? "run",
            TimeScale = line.Number("time-scale", 1, 0.001),
            RateScale = line.Number("rate-scale", 1, 0.001),
            Duration = line.Duration("duration"),
            Drain = line.Duration("drain") ?? TimeSpan.FromSeconds(60),
            EngineMetrics = line.All("engine-metrics").ConvertAll(url => new Uri(url)),
            Direct = line.All("direct").ConvertAll(CommandLine.Url),
        };
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        var result = await new WorkloadRunner(settings, http, Console.Error).RunAsync(stop.Token);
        var summary = RunSummary.Of(result);
        var name = line.String("name") ?? $"{workload.Name}-{settings.Label}";
        var json = SummaryFile.WriteAll(summary, line.String("out") ?? Path.Combine("bench", "results"), name);
        Console.WriteLine(MarkdownReport.Of(summary));
        Console.Error.WriteLine($"wrote {json} (and .md, .svg)");
        return summary.Succeeded == 0 ? 1 : 0;
    }

    public static int Report(string[] args)
    {
        var line = new CommandLine(args, new HashSet<string>(["out", "name"]));
        if (line.Positional.Count == 0)
        {
            throw new ArgumentException("report needs at least one RUN.json");
        }
        var runs = line.Positional.ConvertAll(SummaryFile.Read);
        var directory = line.Required("out");
        var name = line.String("name") ?? "comparison";
        Directory.CreateDirectory(directory);
        var table = MarkdownReport.Compare(runs);
        File.WriteAllText(Path.Combine(directory, name + ".md"), table);
        File.WriteAllText(Path.Combine(directory, name + ".svg"), SvgPlot.Of(runs));
        Console.WriteLine(table);
        return 0;
    }

    public static int Check(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("check needs at least one workload file");
        }
        foreach (var path in args)
        {
            var workload = WorkloadLoader.Load(path);
            Console.WriteLine($"{path}: {workload.Name}, {workload.TenantCount} tenants, {workload.Duration.TotalSeconds:0} s");
        }
        return 0;
    }
}
