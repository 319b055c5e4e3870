namespace LlmHost.Gateway.Tokens;

/// <summary>Log messages of the tokenizers (events 5xx).</summary>
internal static partial class TokensLog
{
    [LoggerMessage(501, LogLevel.Information, "Tokenizer {Tokenizer} loaded for prompt token estimates")]
    public static partial void TokenizerLoaded(ILogger logger, string tokenizer);

    [LoggerMessage(502, LogLevel.Error, "Tokenizer {Tokenizer} could not be loaded; prompts of its models are estimated from their characters")]
    public static partial void TokenizerFailed(ILogger logger, string tokenizer, Exception exception);
}
