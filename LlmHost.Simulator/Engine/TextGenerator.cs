namespace LlmHost.Simulator.Engine;

/// <summary>
/// Produces the answer's tokens, deterministically: the same simulator seed, request seed and prompt always give
/// the same words and the same length.
/// </summary>
public static class TextGenerator
{
    private static readonly string[] Words =
    [
        "the", "model", "answers", "with", "a", "short", "and", "clear", "reply", "about", "your", "question",
        "it", "is", "simulated", "text", "from", "LlmHost", "so", "no", "GPU", "was", "used", "here",
        "tokens", "stream", "one", "by", "as", "vLLM", "or", "SGLang", "would", "send", "them", "to",
        "client", "through", "gateway", "while", "metrics", "count", "every", "request", "in", "order", "that",
        "operators", "can", "watch", "latency", "throughput", "queue", "depth", "cache", "usage", "over", "time",
        "each", "run", "gives", "same", "output", "for",
    ];

    /// <summary>Natural answer lengths (before max tokens cuts them) lie in this range.</summary>
    public const int MinNaturalLength = 16;
    public const int MaxNaturalLength = 63;

    /// <summary>Words with their leading space, made once: tokens after the first are these strings, not new ones.</summary>
    private static readonly string[] SpacedWords = Array.ConvertAll(Words, w => " " + w);

    public static Random CreateRandom(int simulatorSeed, long? requestSeed, long promptHash, int choiceIndex)
    {
        // HashCode.Combine is randomised per process; this mix is stable across runs and machines.
        var mixed = (ulong)(requestSeed ?? promptHash);
        mixed = (mixed ^ (uint)simulatorSeed) * 0x9E3779B97F4A7C15ul;
        mixed = (mixed ^ (uint)choiceIndex) * 0xBF58476D1CE4E5B9ul;
        return new Random((int)((mixed ^ (mixed >> 31)) & int.MaxValue));
    }

    /// <summary>How many tokens the answer would have if nothing cut it.</summary>
    public static int NaturalLength(Random random, int? fixedLength) =>
        fixedLength ?? random.Next(MinNaturalLength, MaxNaturalLength + 1);

    /// <summary>The text of token <paramref name="index"/>: a word with a leading space (none for the first).</summary>
    public static string Token(Random random, int index)
    {
        var word = random.Next(Words.Length);
        return index == 0 ? Words[word] : SpacedWords[word];
    }
}
