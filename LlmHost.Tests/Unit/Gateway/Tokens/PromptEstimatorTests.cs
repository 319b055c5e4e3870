using System.Text;
using LlmHost.Gateway.Tokens;
using System.Buffers;
using Microsoft.ML.Tokenizers;

namespace LlmHost.Tests.Unit.Gateway.Tokens;

[Trait("Category", "Unit")]
public class PromptEstimatorTests
{
    /// <summary>One token per character: the estimator's structure shows in the counts.</summary>
    private sealed class CharCounter : ITokenCounter
    {
        public string Name => "chars";
        public int Count(ReadOnlySpan<char> text) => text.Length;
    }

    private static readonly LlmHost.Backends.Configuration.MediaTokens Media = new() { Image = 1000, Audio = 2000, Video = 3000 };

    // Embeddings-style reservation (nothing generated): the reservation is the prompt estimate.
    private static int Estimate(string json, ITokenCounter? counter = null) =>
        PromptEstimator.Estimate(Encoding.UTF8.GetBytes(json), counter ?? new CharCounter(), Reservation(generates: false), Media).PromptTokens;

    private static LlmHost.Gateway.Tokens.TokenReservation Reservation(bool generates = true, int? maxTokens = null, int? contextLength = null) =>
        LlmHost.Gateway.Tokens.TokenReservation.For(maxTokens, null, null, null, contextLength, 4096, generates);

    [Fact]
    public void Estimate_ChatMessages_CountsContentAndTemplate() =>
        Assert.Equal(PromptEstimator.PerChatRequest + 2 * PromptEstimator.PerMessage + 5 + 3,
            Estimate("""{"model":"m","messages":[{"role":"system","content":"hello"},{"role":"user","content":"a\u00e9b"}]}"""));

    [Fact]
    public void Estimate_ContentParts_CountsTheTextPartsAndReservesEachMediaPart() =>
        Assert.Equal(PromptEstimator.PerChatRequest + PromptEstimator.PerMessage + 3 + 2 + Media.Image + Media.Audio + Media.Video,
            Estimate("""{"messages":[{"role":"user","content":[{"type":"text","text":"abc"},{"type":"image_url","image_url":{"url":"http://x"}},{"type":"text","text":"de"},{"type":"input_audio","input_audio":{"data":"AAAA"}},{"type":"video_url","video_url":{"url":"http://v"}}]}]}"""));

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

    [Fact]
    public void Estimate_BatchOfPrompts_ReservesACompletionForEachPrompt()
    {
        // 60 prompts with max_tokens 100: each may produce 100 tokens, so 60 × 100 are reserved, not 100.
        var prompts = string.Join(",", Enumerable.Range(0, 60).Select(_ => "\"abcd\""));
        var estimate = PromptEstimator.Estimate(Encoding.UTF8.GetBytes($$"""{"model":"m","prompt":[{{prompts}}],"max_tokens":100}"""),
            new CharCounter(), Reservation(maxTokens: 100), Media);

        Assert.Equal(60 * (1 + 4), estimate.PromptTokens);
        Assert.Equal(60 * (1 + 4) + 60 * 100, estimate.Reservation);
    }

    [Fact]
    public void Estimate_BatchOfTokenIdLists_CapsEachPromptByTheContext()
    {
        // Context 10: the 8-token prompt may still produce 2 tokens, the 3-token one 7 (max_tokens 50 is capped).
        var estimate = PromptEstimator.Estimate(Encoding.UTF8.GetBytes("""{"model":"m","prompt":[[1,2,3,4,5,6,7,8],[1,2,3]],"max_tokens":50}"""),
            new CharCounter(), Reservation(maxTokens: 50, contextLength: 10), Media);

        Assert.Equal(11, estimate.PromptTokens);
        Assert.Equal(11 + 2 + 7, estimate.Reservation);
    }

    [Fact]
    public void Estimate_OneTokenIdList_IsOnePrompt()
    {
        var estimate = PromptEstimator.Estimate(Encoding.UTF8.GetBytes("""{"model":"m","prompt":[1,2,3],"max_tokens":5}"""),
            new CharCounter(), Reservation(maxTokens: 5), Media);

        Assert.Equal(3 + 5, estimate.Reservation);
    }

    [Fact]
    public void Estimate_ChatRequest_ReservesOneCompletionPerChoice()
    {
        var estimate = PromptEstimator.Estimate(Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"hi"}],"n":3}"""),
            new CharCounter(), LlmHost.Gateway.Tokens.TokenReservation.For(20, null, 3, null, null, 4096, true), Media);

        Assert.Equal(PromptEstimator.PerChatRequest + PromptEstimator.PerMessage + 2 + 3 * 20, estimate.Reservation);
    }

    [Fact]
    public void Estimate_InvalidUtf8AndLoneSurrogates_AreEstimatedNotThrown()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"ab\ud800cd"},{"role":"user","content":"xyz"}]}""");
        bytes[Array.IndexOf(bytes, (byte)'x')] = 0xFF;

        var estimate = PromptEstimator.Estimate(bytes, new TokenizerCounter("o200k_base", TiktokenTokenizer.CreateForEncoding("o200k_base")), Reservation(false), Media);

        Assert.InRange(estimate.PromptTokens, PromptEstimator.PerChatRequest + 2 * PromptEstimator.PerMessage + 2, 40);
    }

    [Fact]
    public void Estimate_ClientGone_StopsWithCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var body = Encoding.UTF8.GetBytes("{\"model\":\"m\",\"prompt\":\"" + new string('a', 200_000) + "\"}");

        Assert.Throws<OperationCanceledException>(() =>
            PromptEstimator.Estimate(body, new TokenizerCounter("o200k_base", TiktokenTokenizer.CreateForEncoding("o200k_base")), Reservation(false), Media, cancelled.Token));
    }

    /// <summary>A tokenizer that takes 2 ms per call: the budget, not the body, decides how many calls are made.</summary>
    private sealed class SlowCounter : ITokenCounter
    {
        public int Calls;
        public string Name => "slow";

        public int Count(ReadOnlySpan<char> text)
        {
            Calls++;
            Thread.Sleep(2);
            return text.Length;
        }
    }

    [Fact]
    public void Estimate_TokenizerBudgetSpent_EstimatesTheRestFromBytes()
    {
        var counter = new SlowCounter();
        var prompts = string.Join(",", Enumerable.Range(0, 2000).Select(_ => "\"" + new string('a', 40) + "\""));

        var estimate = PromptEstimator.Estimate(Encoding.UTF8.GetBytes($$"""{"model":"m","input":[{{prompts}}]}"""), counter, Reservation(false), Media);

        // 10 ms of budget at 2 ms a call: a few dozen calls at most (the clock is read every 64 KiB of work), not 2,000.
        Assert.InRange(counter.Calls, 1, 300);
        // The strings the tokenizer never saw are estimated at 0.3 per ASCII character: 12 of 40 characters.
        Assert.InRange(estimate.PromptTokens, 2000 * (1 + 12), 2000 * (1 + 40));
    }

    /// <summary>Records the longest text it was handed.</summary>
    private sealed class LongestPiece : Tokenizer
    {
        private readonly Tokenizer _inner = TiktokenTokenizer.CreateForEncoding("o200k_base");
        public int Longest;

        protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
        {
            Longest = Math.Max(Longest, text?.Length ?? textSpan.Length);
            return new EncodeResults<EncodedToken> { Tokens = _inner.EncodeToTokens(text ?? textSpan.ToString(), out _), CharsConsumed = textSpan.Length };
        }

        public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten) =>
            _inner.Decode(ids, destination, out idsConsumed, out charsWritten);
    }

    [Fact]
    public void TokenizerCounter_OneLongWord_IsCountedInBoundedPieces()
    {
        var tokenizer = new LongestPiece();
        var counter = new TokenizerCounter("test", tokenizer);
        var text = "short words first " + new string('q', 100_000) + " " + new string(' ', 5_000) + " and after";

        var count = counter.Count(text);

        Assert.InRange(tokenizer.Longest, 1, TokenizerCounter.MaxRun + 1);
        Assert.True(count > 100_000 / TokenizerCounter.MaxRun, $"{count}");
    }
}
