namespace LlmHost.Simulator.Engine;

/// <summary>The API a generation request came through: each reads its body and writes its answer its own way.</summary>
public enum CompletionKind
{
    Chat,
    Text,
    /// <summary>OpenAI's Responses API, generated as a chat request.</summary>
    Responses,
    /// <summary>Anthropic's Messages API, generated as a chat request.</summary>
    Messages,
}

public static class CompletionKindExtensions
{
    /// <summary>Every API but the legacy completions sends a conversation: its prompt is chat messages.</summary>
    public static bool HasMessages(this CompletionKind kind) => kind != CompletionKind.Text;
}
