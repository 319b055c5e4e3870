namespace LlmHost.Gateway.Tokens;

/// <summary>Counts the tokens of a piece of prompt text for one model family.</summary>
public interface ITokenCounter
{
    /// <summary>A short description for logs and the admin API, e.g. <c>o200k_base</c>.</summary>
    string Name { get; }

    int Count(ReadOnlySpan<char> text);
}
