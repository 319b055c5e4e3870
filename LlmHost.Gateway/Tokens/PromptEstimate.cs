namespace LlmHost.Gateway.Tokens;

/// <summary>What a request's body is estimated to cost: its prompt tokens, and its whole reservation.</summary>
public readonly record struct PromptEstimate(int PromptTokens, long Reservation);
