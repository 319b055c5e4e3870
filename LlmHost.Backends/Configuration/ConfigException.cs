namespace LlmHost.Backends.Configuration;

/// <summary>A configuration file that does not parse or validate; <see cref="Errors"/> lists every problem.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string source, IReadOnlyList<ConfigError> errors)
        : base(FormatMessage(source, errors))
    {
        Source = source;
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    private static string FormatMessage(string source, IReadOnlyList<ConfigError> errors) =>
        $"{source} is not valid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):{Environment.NewLine}  " +
        string.Join(Environment.NewLine + "  ", errors);
}
