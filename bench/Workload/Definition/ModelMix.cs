namespace LlmHost.Workload.Definition;

/// <summary>
/// The models (base models or LoRA adapters) requests name, drawn with Zipf popularity: the k-th name is chosen with
/// weight 1 / k^<see cref="Zipf"/> (0: uniform).
/// </summary>
public sealed class ModelMix
{
    public List<string> Names { get; set; } = [];
    public double Zipf { get; set; }

    private double[]? _cumulative;

    public string Draw(Random random)
    {
        if (Names.Count == 1)
        {
            return Names[0];
        }
        var cumulative = _cumulative ??= Cumulative();
        var x = random.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, x);
        return Names[Math.Min(index < 0 ? ~index : index, Names.Count - 1)];
    }

    private double[] Cumulative()
    {
        var cumulative = new double[Names.Count];
        var sum = 0.0;
        for (var k = 0; k < Names.Count; k++)
        {
            sum += 1 / Math.Pow(k + 1, Zipf);
            cumulative[k] = sum;
        }
        return cumulative;
    }

    internal void Validate(string at, List<string> errors)
    {
        if (Names.Count == 0 || Names.Exists(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{at}.names: list at least one model, none empty");
        }
        if (Zipf < 0)
        {
            errors.Add($"{at}.zipf: cannot be negative");
        }
    }
}
