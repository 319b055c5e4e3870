using Microsoft.ML.Tokenizers;

namespace LlmHost.Gateway.Tokens;

/// <summary>A Microsoft.ML.Tokenizers tokenizer: exact counts for the text it sees.</summary>
public sealed class TokenizerCounter(string name, Tokenizer tokenizer) : ITokenCounter
{
    public string Name { get; } = name;

    public int Count(ReadOnlySpan<char> text) => tokenizer.CountTokens(text);
}
