using System.Text.RegularExpressions;

namespace LlmHost.Backends.Engines;

/// <summary>
/// The names the gateway's admin API and the dashboard commands accept for a new adapter: what clients put in
/// <c>model</c>, so nothing that needs escaping and no <c>:</c> (SGLang's <c>base:adapter</c> separator).
/// </summary>
public static partial class AdapterName
{
    public const string Rule = "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit (no ':')";

    public const int MaxPathLength = 1024;

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex Pattern();
}
