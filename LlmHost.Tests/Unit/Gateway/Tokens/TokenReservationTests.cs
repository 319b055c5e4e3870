using LlmHost.Gateway.Tokens;

namespace LlmHost.Tests.Unit.Gateway.Tokens;

[Trait("Category", "Unit")]
public class TokenReservationTests
{
    [Fact]
    public void For_BothMaxFields_ReservesTheLarger() =>
        Assert.Equal(100 + 900, TokenReservation.ForOnePrompt(100, maxTokens: 1, maxCompletionTokens: 900, n: null, maxModelLen: null, defaultMaxTokens: 4096, generates: true));

    [Fact]
    public void For_NoMaxTokensAndKnownContext_ReservesTheRestOfTheContext() =>
        Assert.Equal(8192, TokenReservation.ForOnePrompt(192, null, null, null, maxModelLen: 8192, defaultMaxTokens: 4096, generates: true));

    [Fact]
    public void For_NoMaxTokensAndUnknownContext_ReservesTheDefault() =>
        Assert.Equal(50 + 4096, TokenReservation.ForOnePrompt(50, null, null, null, null, 4096, true));

    [Fact]
    public void For_MaxTokensBeyondContext_IsCappedByTheContext() =>
        Assert.Equal(1000, TokenReservation.ForOnePrompt(200, 100_000, null, null, maxModelLen: 1000, defaultMaxTokens: 4096, generates: true));

    [Fact]
    public void For_SeveralChoices_ReservesEachChoice() =>
        Assert.Equal(10 + 3 * 20, TokenReservation.ForOnePrompt(10, 20, null, n: 3, maxModelLen: null, defaultMaxTokens: 4096, generates: true));

    [Fact]
    public void For_Embeddings_ReservesThePromptOnly() =>
        Assert.Equal(42, TokenReservation.ForOnePrompt(42, null, null, null, null, 4096, generates: false));
}
