using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmHost.Backends.Engines;

/// <summary>
/// An engine's release number as operators and image tags write it — <c>0.11.1</c>, <c>v0.5.3</c>,
/// <c>v0.5.3-cu126</c>, <c>0.11.1rc1</c>, <c>0.10</c> — always as three numbers (a missing one is 0), so that
/// <c>0.10</c> ranks with <c>0.10.0</c>.
/// </summary>
public static partial class EngineVersion
{
    /// <summary>The release in <paramref name="text"/> (a leading <c>v</c> and any suffix ignored); null when it names none.</summary>
    public static Version? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || Pattern().Match(text.Trim()) is not { Success: true } match)
        {
            return null;
        }
        return new Version(Number(match.Groups["major"]), Number(match.Groups["minor"]), match.Groups["patch"].Success ? Number(match.Groups["patch"]) : 0);
    }

    private static int Number(Group group) => int.Parse(group.ValueSpan, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^v?(?<major>\d{1,4})\.(?<minor>\d{1,4})(\.(?<patch>\d{1,4}))?(\D.*)?$")]
    private static partial Regex Pattern();
}
