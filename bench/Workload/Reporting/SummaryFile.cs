using System.Text.Json;

namespace LlmHost.Workload.Reporting;

/// <summary>Reads and writes run summaries as JSON (snake_case, indented).</summary>
public static class SummaryFile
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string ToJson(RunSummary summary) => JsonSerializer.Serialize(summary, Options);

    public static RunSummary Read(string path) =>
        JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: not a run summary");

    /// <summary>Writes NAME.json, NAME.md and NAME.svg into <paramref name="directory"/>; returns the JSON path.</summary>
    public static string WriteAll(RunSummary summary, string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, name + ".json");
        File.WriteAllText(json, ToJson(summary));
        File.WriteAllText(Path.Combine(directory, name + ".md"), MarkdownReport.Of(summary));
        File.WriteAllText(Path.Combine(directory, name + ".svg"), SvgPlot.Of([summary]));
        return json;
    }
}
