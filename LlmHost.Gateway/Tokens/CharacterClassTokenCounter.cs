namespace LlmHost.Gateway.Tokens;

/// <summary>
/// The fallback when no tokenizer is configured: 0.3 tokens per ASCII character (one token per 3.3 characters)
/// and one per other character. BPE tokenizers of current models give 3.5–4.6 characters per token on English prose
/// and code and about one token per CJK character, so this over-estimates slightly, which is the safe side for a
/// reservation that is settled with the real usage afterwards.
/// </summary>
public sealed class CharacterClassTokenCounter : ITokenCounter
{
    public static CharacterClassTokenCounter Instance { get; } = new();

    public string Name => "estimate";

    public int Count(ReadOnlySpan<char> text)
    {
        var ascii = 0;
        foreach (var c in text)
        {
            if (c < 0x80)
            {
                ascii++;
            }
        }
        var other = text.Length - ascii;
        return other + (int)Math.Ceiling(ascii * 0.3);
    }
}
