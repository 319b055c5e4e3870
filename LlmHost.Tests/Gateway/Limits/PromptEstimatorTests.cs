using System.Text;
using LlmHost.Gateway.Tokens;
using Microsoft.ML.Tokenizers;

namespace LlmHost.Tests.Gateway.Limits;

public class PromptEstimatorTests
{
    /// <summary>One token per character: the estimator's structure shows in the counts.</summary>
    private sealed class CharCounter : ITokenCounter
    {
        public string Name => "chars";
        public int Count(ReadOnlySpan<char> text) => text.Length;
    }

    private static int Estimate(string json, ITokenCounter? counter = null) => PromptEstimator.Estimate(Encoding.UTF8.GetBytes(json), counter ?? new CharCounter());

    [Fact]
    public void Estimate_ChatMessages_CountsContentAndTemplate() =>
        Assert.Equal(PromptEstimator.PerChatRequest + 2 * PromptEstimator.PerMessage + 5 + 3,
            Estimate("""{"model":"m","messages":[{"role":"system","content":"hello"},{"role":"user","content":"a\u00e9b"}]}"""));

    [Fact]
    public void Estimate_ContentParts_CountsTheTextParts() =>
        Assert.Equal(PromptEstimator.PerChatRequest + PromptEstimator.PerMessage + 3 + 2,
            Estimate("""{"messages":[{"role":"user","content":[{"type":"text","text":"abc"},{"type":"image_url","image_url":{"url":"http://x"}},{"type":"text","text":"de"}]}]}"""));

    [Fact]
    public void Estimate_PromptTokenIds_CountsOneEach() =>
        Assert.Equal(4 + 1 + 2, Estimate("""{"model":"m","prompt":[[1,2,3,4],"ab"]}"""));

    [Fact]
    public void Estimate_Tools_CountsTheirJson() =>
        Assert.Equal(PromptEstimator.PerChatRequest + PromptEstimator.PerMessage + 1 + """[{"type":"function"}]""".Length,
            Estimate("""{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}"""));

    [Fact]
    public void Estimate_WithO200k_CountsLikeTheTokenizer()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var text = "The quick brown fox jumps over the lazy dog.";
        Assert.Equal(1 + tokenizer.CountTokens(text), Estimate($$"""{"model":"m","input":"{{text}}"}""", new TokenizerCounter("o200k_base", tokenizer)));
    }

    [Fact]
    public void CharacterClassCounter_EnglishProse_OverEstimatesO200k()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var prose = string.Concat(Enumerable.Repeat("Operators put the gateway in front of their inference servers and point SDKs at it. ", 20));
        var exact = tokenizer.CountTokens(prose);
        var estimate = CharacterClassTokenCounter.Instance.Count(prose);
        Assert.InRange(estimate, exact, exact * 2);
    }
}
