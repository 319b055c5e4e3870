using System.Globalization;
using System.Text;

namespace LlmHost.Simulator.Metrics;

/// <summary>Helpers for the Prometheus text exposition format 0.0.4.</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("0.0###########", CultureInfo.InvariantCulture);

    public static void Gauge(StringBuilder output, string name, string help, string labels, double value)
    {
        output.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        output.Append("# TYPE ").Append(name).Append(" gauge\n");
        Sample(output, name, labels, value);
    }

    /// <summary>A counter; <paramref name="name"/> already ends in <c>_total</c>, as the Python client exposes it.</summary>
    public static void Counter(StringBuilder output, string name, string help, string labels, double value)
    {
        output.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        output.Append("# TYPE ").Append(name).Append(" counter\n");
        Sample(output, name, labels, value);
    }

    public static void Sample(StringBuilder output, string name, string labels, double value) =>
        output.Append(name).Append('{').Append(labels).Append("} ").Append(Number(value)).Append('\n');

    public static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
