namespace LlmHost.Backends.Configuration;

/// <summary>The tokenizer encodings a backend's <c>tokenizer</c> setting may name instead of a <c>tokenizer.json</c> path.</summary>
public static class TokenizerNames
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    public static IReadOnlyList<string> Encodings { get; } = [O200kBase, Cl100kBase];

    public static bool IsKnownEncoding(string name) => name is O200kBase or Cl100kBase;
}
