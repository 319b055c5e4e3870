namespace LlmHost.Simulator.Engine;

/// <summary>FNV-1a over characters: stable across runs and machines (unlike string.GetHashCode).</summary>
public static class PromptHash
{
    public const ulong Start = 14695981039346656037ul;
    private const ulong Prime = 1099511628211ul;

    public static ulong Add(ulong hash, char c) => (hash ^ c) * Prime;

    public static ulong Add(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ c) * Prime;
        }
        return hash;
    }

    public static long Of(ReadOnlySpan<char> text) => (long)Add(Start, text);
}
