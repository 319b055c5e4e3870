namespace LlmHost.Backends.Configuration;

/// <summary>One problem found in a configuration file, with where it is.</summary>
public sealed record ConfigError(string Path, int? Line, string Message)
{
    public override string ToString()
    {
        var where = Line is { } line ? $"line {line}: " : "";
        return Path.Length == 0 ? $"{where}{Message}" : $"{where}{Path}: {Message}";
    }
}
