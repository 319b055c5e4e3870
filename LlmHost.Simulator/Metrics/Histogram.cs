using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;

namespace LlmHost.Simulator.Metrics;

/// <summary>A Prometheus histogram with fixed upper bounds; observations are lock-free.</summary>
public sealed class Histogram(string name, string help, double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private AtomicDouble _sum;

    public string Name => name;

    public void Observe(double value)
    {
        var index = Array.BinarySearch(bounds, value);
        if (index < 0)
        {
            index = ~index;
        }
        Interlocked.Increment(ref _counts[index]);
        _sum.Add(value);
    }

    public long Count
    {
        get
        {
            long total = 0;
            foreach (ref readonly var c in _counts.AsSpan())
            {
                total += Volatile.Read(ref Unsafe.AsRef(in c));
            }
            return total;
        }
    }

    public void Write(StringBuilder output, string labels)
    {
        output.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        output.Append("# TYPE ").Append(name).Append(" histogram\n");
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += Volatile.Read(ref _counts[i]);
            var le = i < bounds.Length ? bounds[i].ToString("0.0###", CultureInfo.InvariantCulture) : "+Inf";
            output.Append(name).Append("_bucket{").Append(labels).Append(",le=\"").Append(le).Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        output.Append(name).Append("_sum{").Append(labels).Append("} ").Append(PrometheusText.Number(_sum.Value)).Append('\n');
        output.Append(name).Append("_count{").Append(labels).Append("} ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>vLLM's 1-2-5 token buckets up to the context length.</summary>
    public static double[] OneTwoFive(int max)
    {
        var result = new List<double>();
        for (var exponent = 1L; ; exponent *= 10)
        {
            foreach (var m in (int[])[1, 2, 5])
            {
                var value = m * exponent;
                if (value > max)
                {
                    return [.. result];
                }
                result.Add(value);
            }
        }
    }
}
