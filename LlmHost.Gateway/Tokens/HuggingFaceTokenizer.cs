using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// Builds a <see cref="BpeTokenizer"/> from a Hugging Face <c>tokenizer.json</c> of the byte-level BPE kind
/// (Qwen, Llama 3, GPT-2 style): Microsoft.ML.Tokenizers 2.0.1 has no loader for the format, but its BPE model with
/// the file's vocabulary, merges, split pattern and added tokens counts exactly like the Hugging Face tokenizer.
/// </summary>
public static class HuggingFaceTokenizer
{
    // GPT-2's pre-tokenizer pattern, used by ByteLevel pre-tokenizers with use_regex = true.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static Tokenizer Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var model = root.GetProperty("model");
        if (!model.TryGetProperty("type", out var type) || type.GetString() != "BPE")
        {
            throw new NotSupportedException($"{path}: only byte-level BPE tokenizer.json files are supported (model.type is not BPE).");
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocabulary[entry.Name] = entry.Value.GetInt32();
        }
        var merges = new List<string>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            // Older files write "a b"; newer ones ["a", "b"].
            merges.Add(merge.ValueKind == JsonValueKind.String ? merge.GetString()! : $"{merge[0].GetString()} {merge[1].GetString()}");
        }
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        if (root.TryGetProperty("added_tokens", out var addedTokens))
        {
            foreach (var token in addedTokens.EnumerateArray())
            {
                added[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
        }

        var pattern = SplitPattern(root.GetProperty("pre_tokenizer"))
            ?? throw new NotSupportedException($"{path}: the pre_tokenizer is not a byte-level one this loader understands.");
        return BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = added.Count > 0 ? added : null,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added.Count > 0 ? added : null),
            Normalizer = UsesNfc(root) ? NfcNormalizer.Instance : null,
        });
    }

    // A Split step with a regex (Qwen, Llama 3), or a lone ByteLevel step with GPT-2's pattern.
    private static string? SplitPattern(JsonElement preTokenizer)
    {
        if (preTokenizer.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        switch (preTokenizer.GetProperty("type").GetString())
        {
            case "Sequence":
                foreach (var step in preTokenizer.GetProperty("pretokenizers").EnumerateArray())
                {
                    if (step.GetProperty("type").GetString() == "Split" && SplitPattern(step) is { } split)
                    {
                        return split;
                    }
                }
                foreach (var step in preTokenizer.GetProperty("pretokenizers").EnumerateArray())
                {
                    if (SplitPattern(step) is { } pattern)
                    {
                        return pattern;
                    }
                }
                return null;
            case "Split":
                return preTokenizer.GetProperty("pattern").TryGetProperty("Regex", out var regex) ? regex.GetString() : null;
            case "ByteLevel":
                return !preTokenizer.TryGetProperty("use_regex", out var useRegex) || useRegex.GetBoolean() ? Gpt2Pattern : null;
            default:
                return null;
        }
    }

    private static bool UsesNfc(JsonElement root) =>
        root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind == JsonValueKind.Object
        && normalizer.GetProperty("type").GetString() == "NFC";

    private sealed class NfcNormalizer : Normalizer
    {
        public static NfcNormalizer Instance { get; } = new();

        public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

        public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
    }
}
