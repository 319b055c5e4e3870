using LlmHost.Gateway.Tokens;

namespace LlmHost.Tests.Unit.Gateway.Tokens;

[Trait("Category", "Unit")]
public class HuggingFaceTokenizerTests
{
    // A byte-level BPE file in the layout of Qwen's and Llama 3's tokenizer.json, with a vocabulary small enough to
    // follow by hand: "hello" merges to one token; the space before the second one is the byte-level "Ġ".
    private const string TinyTokenizerJson = """
        {
          "added_tokens": [ { "id": 12, "content": "<|im_end|>", "special": true } ],
          "normalizer": { "type": "NFC" },
          "pre_tokenizer": { "type": "Sequence", "pretokenizers": [
            { "type": "Split", "pattern": { "Regex": "\\s?\\p{L}+|\\s+" }, "behavior": "Isolated", "invert": false },
            { "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false } ] },
          "model": {
            "type": "BPE",
            "vocab": { "h": 0, "e": 1, "l": 2, "o": 3, "Ġ": 4, "he": 5, "ll": 6, "hell": 7, "hello": 8, "w": 9, "r": 10, "d": 11 },
            "merges": [ "h e", ["l", "l"], "he ll", "hell o" ]
          }
        }
        """;

    [Fact]
    public async Task Load_ByteLevelBpeFile_CountsLikeItsMerges()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, TinyTokenizerJson);
        try
        {
            var tokenizer = HuggingFaceTokenizer.Load(path);
            Assert.Equal(1, tokenizer.CountTokens("hello"));
            Assert.Equal(3, tokenizer.CountTokens("hello hello"));
            Assert.Equal(5, tokenizer.CountTokens("world"));
            Assert.Equal(2, tokenizer.CountTokens("hello<|im_end|>"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Load_NotBpe_SaysWhy()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{"model":{"type":"Unigram","vocab":[]},"pre_tokenizer":null}""");
        try
        {
            var error = Assert.Throws<NotSupportedException>(() => HuggingFaceTokenizer.Load(path));
            Assert.Contains("BPE", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
