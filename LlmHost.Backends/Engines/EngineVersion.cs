using System.Text.RegularExpressions;

namespace LlmHost.Backends.Engines;

/// <summary>An engine's release number as operators and image tags write it: <c>0.11.1</c>, <c>v0.5.3</c>, <c>v0.5.3-cu126</c>.</summary>
public static partial class EngineVersion
{
    /// <summary>The version in <paramref name="text"/> (a leading <c>v</c> and a suffix after <c>-</c> or <c>+</c> ignored); null when it names none.</summary>
    public static Version? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || Pattern().Match(text.Trim()) is not { Success: true } match)
        {
            return null;
        }
        return Version.TryParse(match.Groups["number"].Value, out var version) ? version : null;
    }

    [GeneratedRegex(@"^v?(?<number>\d{1,4}\.\d{1,4}(\.\d{1,4})?)([-+.].*)?$")]
    private static partial Regex Pattern();
}
