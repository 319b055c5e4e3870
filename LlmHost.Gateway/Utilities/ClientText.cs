namespace LlmHost.Gateway.Utilities;

/// <summary>
/// Bounds a string the client chose (a model name, a path) before it goes into an error message, a log line or a
/// trace: a 14 MB model name must cost neither 14 MB of log nor 14 MB of answer.
/// </summary>
public static class ClientText
{
    /// <summary>Characters of a client string kept in messages and logs.</summary>
    public const int MaxLength = 256;

    public static string Bound(string value) =>
        value.Length <= MaxLength ? value : string.Concat(value.AsSpan(0, MaxLength), $"…({value.Length} characters)");

    public static string? BoundOrNull(string? value) => value is null ? null : Bound(value);
}
