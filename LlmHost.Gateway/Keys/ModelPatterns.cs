namespace LlmHost.Gateway.Keys;

/// <summary>Which models a key may use: exact names and <c>*</c> wildcards (<c>qwen*</c>, <c>*-lora</c>, <c>*</c>).</summary>
public sealed class ModelPatterns
{
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _wildcards = [];

    public ModelPatterns(IReadOnlyList<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0)
        {
            AllowsAll = true;
            return;
        }
        foreach (var pattern in patterns)
        {
            if (pattern == "*")
            {
                AllowsAll = true;
            }
            else if (pattern.Contains('*'))
            {
                _wildcards.Add(pattern);
            }
            else
            {
                _exact.Add(pattern);
            }
        }
    }

    public bool AllowsAll { get; }

    public bool Allows(string model)
    {
        if (AllowsAll || _exact.Contains(model))
        {
            return true;
        }
        foreach (var pattern in _wildcards)
        {
            if (Matches(pattern, model))
            {
                return true;
            }
        }
        return false;
    }

    // Glob with '*' only: each literal piece must appear in order; the first anchors at the start, the last at the end.
    internal static bool Matches(string pattern, string value)
    {
        var pieces = pattern.Split('*');
        if (!value.StartsWith(pieces[0], StringComparison.Ordinal))
        {
            return false;
        }
        var position = pieces[0].Length;
        for (var i = 1; i < pieces.Length - 1; i++)
        {
            var found = value.IndexOf(pieces[i], position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            position = found + pieces[i].Length;
        }
        var last = pieces[^1];
        return value.Length - position >= last.Length && value.EndsWith(last, StringComparison.Ordinal);
    }
}
