using System.Globalization;

namespace LlmHost.Workload;

/// <summary>The tool's arguments: <c>--name value</c> pairs (repeatable) and bare arguments, checked by name.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args, IReadOnlySet<string> known)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Positional.Add(args[i]);
                continue;
            }
            var name = args[i][2..];
            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown option --{name}");
            }
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"--{name} needs a value");
            }
            if (!_options.TryGetValue(name, out var values))
            {
                _options[name] = values = [];
            }
            values.Add(args[++i]);
        }
    }

    public List<string> Positional { get; } = [];

    public string? String(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required");

    /// <summary>Every value of a repeatable option, each also split at commas.</summary>
    public List<string> All(string name)
    {
        var all = new List<string>();
        foreach (var value in _options.GetValueOrDefault(name) ?? [])
        {
            all.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return all;
    }

    public double Number(string name, double fallback, double min)
    {
        if (String(name) is not { } text)
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && double.IsFinite(value)
            ? value
            : throw new ArgumentException($"--{name}: '{text}' is not a number of at least {min}");
    }

    public TimeSpan? Duration(string name) =>
        String(name) is not { } text ? null
        : Backends.Configuration.Duration.TryParse(text, out var value) && value > TimeSpan.Zero ? value
        : throw new ArgumentException($"--{name}: '{text}' is not a duration such as 30s or 5m");

    public static Uri Url(string text) =>
        Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new ArgumentException($"'{text}' is not an http(s) URL");
}
