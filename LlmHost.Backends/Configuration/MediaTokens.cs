namespace LlmHost.Backends.Configuration;

/// <summary>Tokens reserved per non-text part of a chat message.</summary>
public sealed class MediaTokens
{
    public int Image { get; set; } = 1536;
    public int Audio { get; set; } = 1536;
    public int Video { get; set; } = 8192;
}
