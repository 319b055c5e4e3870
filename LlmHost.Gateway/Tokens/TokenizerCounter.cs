using Microsoft.ML.Tokenizers;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// A Microsoft.ML.Tokenizers tokenizer: exact counts for ordinary text. BPE costs grow with the square of a
/// pre-token's length (one 300,000-character word took 24 s), so a run of word or of whitespace characters longer
/// than <see cref="MaxRun"/> is counted in pieces of that length: a count within a token per piece of the exact one,
/// in time linear in the text.
/// </summary>
public sealed class TokenizerCounter(string name, Tokenizer tokenizer) : ITokenCounter
{
    public const int MaxRun = 256;

    public string Name { get; } = name;

    public int Count(ReadOnlySpan<char> text)
    {
        var total = 0;
        var segmentStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var runStart = i;
            var space = char.IsWhiteSpace(text[i]);
            while (i < text.Length && char.IsWhiteSpace(text[i]) == space)
            {
                i++;
            }
            if (i - runStart <= MaxRun)
            {
                continue;
            }
            total += CountPiece(text[segmentStart..runStart]);
            for (var piece = runStart; piece < i;)
            {
                var end = Math.Min(i, piece + MaxRun);
                if (end < i && char.IsLowSurrogate(text[end]))
                {
                    end++;
                }
                total += CountPiece(text[piece..end]);
                piece = end;
            }
            segmentStart = i;
        }
        return total + CountPiece(text[segmentStart..]);
    }

    private int CountPiece(ReadOnlySpan<char> piece) => piece.IsEmpty ? 0 : tokenizer.CountTokens(piece);
}
