namespace LlmHost.Workload.Definition;

/// <summary>
/// A length in tokens drawn per use: <c>{ min: 50, max: 150 }</c> is uniform, <c>{ min: 100, max: 100 }</c> fixed,
/// <c>{ mean: 200, dist: exponential, max: 2000 }</c> exponential clipped to <c>[min, max]</c>.
/// </summary>
public sealed class LengthSpec
{
    public int Min { get; set; } = 1;
    public int Max { get; set; }
    public double Mean { get; set; }
    public string Dist { get; set; } = "uniform";

    public static LengthSpec Fixed(int tokens) => new() { Min = tokens, Max = tokens };

    public int Draw(Random random)
    {
        if (Dist == "exponential")
        {
            var value = (int)Math.Round(-Mean * Math.Log(1 - random.NextDouble()));
            return Math.Clamp(value, Min, Max);
        }
        return Max <= Min ? Min : random.Next(Min, Max + 1);
    }

    internal void Validate(string at, List<string> errors)
    {
        if (Dist is not ("uniform" or "exponential"))
        {
            errors.Add($"{at}.dist: '{Dist}' is not one of uniform, exponential");
        }
        if (Min < 0 || Max < Min)
        {
            errors.Add($"{at}: needs 0 <= min <= max (min {Min}, max {Max})");
        }
        if (Dist == "exponential" && Mean <= 0)
        {
            errors.Add($"{at}.mean: an exponential length needs a mean above 0");
        }
    }
}
