namespace LlmHost.Simulator.Errors;

/// <summary>The body an error is answered with, which depends on the API the request came through.</summary>
public enum ErrorShape
{
    /// <summary>The imitated engine's own shape for chat and completions: nested, or flat with <c>--legacy-errors</c> and SGLang.</summary>
    Engine,
    /// <summary>OpenAI's nested <c>{"error":{…}}</c> whatever the engine or flags: vLLM and SGLang use it on <c>/v1/responses</c>.</summary>
    OpenAI,
    /// <summary>Anthropic's <c>{"type":"error","error":{"type","message"}}</c>, on <c>/v1/messages</c>.</summary>
    Anthropic,
}
