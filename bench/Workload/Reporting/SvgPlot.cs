using System.Globalization;
using System.Text;

namespace LlmHost.Workload.Reporting;

/// <summary>
/// One SVG with two panels: TTFT over the run's time (a rolling median per run, one colour each) and TTFT p50/p90/p99
/// per run as bars. Plain SVG, no dependency, readable in a browser and in GitHub's Markdown.
/// </summary>
public static class SvgPlot
{
    private const int Width = 960, PanelHeight = 300, Margin = 60, Gap = 70;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

    public static string Of(IReadOnlyList<RunSummary> runs)
    {
        var svg = new StringBuilder();
        var height = Margin + PanelHeight + Gap + PanelHeight + Margin;
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>"));
        OverTime(svg, runs, Margin);
        Bars(svg, runs, Margin + PanelHeight + Gap);
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void OverTime(StringBuilder svg, IReadOnlyList<RunSummary> runs, int top)
    {
        var series = new List<List<(double X, double Y)>>();
        double maxX = 1, maxY = 1;
        foreach (var run in runs)
        {
            var points = RollingMedian(run.TtftOverTime);
            foreach (var (x, y) in points)
            {
                maxX = Math.Max(maxX, x);
                maxY = Math.Max(maxY, y);
            }
            series.Add(points);
        }
        Axes(svg, top, "TTFT over time (rolling median, ms)", "time (s)", maxX, maxY);
        for (var i = 0; i < series.Count; i++)
        {
            var path = new StringBuilder();
            foreach (var (x, y) in series[i])
            {
                path.Append(Invariant($"{(path.Length == 0 ? "M" : "L")}{X(x, maxX):F1},{Y(y, maxY, top):F1} "));
            }
            svg.Append(Invariant($"<path d=\"{path}\" fill=\"none\" stroke=\"{Colour(i)}\" stroke-width=\"1.5\"/>"));
            Legend(svg, i, runs[i].Label, top);
        }
    }

    private static void Bars(StringBuilder svg, IReadOnlyList<RunSummary> runs, int top)
    {
        var maxY = 1.0;
        foreach (var run in runs)
        {
            maxY = Math.Max(maxY, run.Ttft.P99);
        }
        Axes(svg, top, "TTFT percentiles per run (ms): p50, p90, p99", "", 0, maxY);
        var slot = (Width - 2.0 * Margin) / Math.Max(1, runs.Count);
        var bar = slot / 4;
        for (var i = 0; i < runs.Count; i++)
        {
            double[] values = [runs[i].Ttft.P50, runs[i].Ttft.P90, runs[i].Ttft.P99];
            for (var p = 0; p < values.Length; p++)
            {
                var x = Margin + i * slot + bar * (p + 0.5);
                var y = Y(values[p], maxY, top);
                svg.Append(Invariant($"<rect x=\"{x:F1}\" y=\"{y:F1}\" width=\"{bar * 0.9:F1}\" height=\"{top + PanelHeight - y:F1}\" fill=\"{Colour(i)}\" fill-opacity=\"{0.4 + 0.3 * p:F1}\"/>"));
            }
            svg.Append(Invariant($"<text x=\"{Margin + (i + 0.5) * slot:F1}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{Escape(runs[i].Label)} ×{runs[i].RateScale:0.##}</text>"));
        }
    }

    private static void Axes(StringBuilder svg, int top, string title, string xLabel, double maxX, double maxY)
    {
        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"{top - 12}\" font-size=\"14\">{Escape(title)}</text>"));
        svg.Append(Invariant($"<path d=\"M{Margin},{top} V{top + PanelHeight} H{Width - Margin}\" stroke=\"black\" fill=\"none\"/>"));
        for (var t = 0; t <= 4; t++)
        {
            var value = maxY * t / 4;
            var y = Y(value, maxY, top);
            svg.Append(Invariant($"<text x=\"{Margin - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{value:0.#}</text>"));
            svg.Append(Invariant($"<path d=\"M{Margin},{y:F1} H{Width - Margin}\" stroke=\"#ddd\"/>"));
            if (maxX > 0)
            {
                var x = X(maxX * t / 4, maxX);
                svg.Append(Invariant($"<text x=\"{x:F1}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{maxX * t / 4:0.#}</text>"));
            }
        }
        if (xLabel.Length > 0)
        {
            svg.Append(Invariant($"<text x=\"{Width / 2}\" y=\"{top + PanelHeight + 34}\" text-anchor=\"middle\">{xLabel}</text>"));
        }
    }

    private static void Legend(StringBuilder svg, int index, string label, int top) =>
        svg.Append(Invariant($"<text x=\"{Width - Margin - 4}\" y=\"{top + 14 + 16 * index}\" text-anchor=\"end\" fill=\"{Colour(index)}\">{Escape(label)}</text>"));

    /// <summary>The median TTFT of each window of 1/100 of the run, so a line shows trends rather than noise.</summary>
    private static List<(double X, double Y)> RollingMedian(List<double[]> points)
    {
        var result = new List<(double, double)>();
        if (points.Count == 0)
        {
            return result;
        }
        var window = Math.Max(1, points.Count / 100);
        for (var start = 0; start < points.Count; start += window)
        {
            var end = Math.Min(points.Count, start + window);
            var values = new List<double>(end - start);
            for (var i = start; i < end; i++)
            {
                values.Add(points[i][1]);
            }
            values.Sort();
            result.Add((points[(start + end - 1) / 2][0], Percentiles.Of(values, 0.5)));
        }
        return result;
    }

    private static double X(double value, double max) => Margin + value / max * (Width - 2 * Margin);

    private static double Y(double value, double max, int top) => top + PanelHeight - value / max * PanelHeight;

    private static string Colour(int index) => Colours[index % Colours.Length];

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
