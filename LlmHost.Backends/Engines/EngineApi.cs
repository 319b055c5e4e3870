namespace LlmHost.Backends.Engines;

/// <summary>
/// The client APIs an engine may or may not serve, by version: chat completions, completions and embeddings every
/// supported engine serves; these came later (see <see cref="EngineProfile.ApisSince"/>).
/// </summary>
public enum EngineApi
{
    /// <summary><c>POST /v1/responses</c>: OpenAI's Responses API, responses kept in the engine's memory.</summary>
    Responses,

    /// <summary><c>GET /v1/responses/{id}</c>.</summary>
    ResponseRetrieve,

    /// <summary><c>POST /v1/responses/{id}/cancel</c>.</summary>
    ResponseCancel,

    /// <summary><c>DELETE /v1/responses/{id}</c>.</summary>
    ResponseDelete,

    /// <summary><c>POST /v1/messages</c>: Anthropic's Messages API.</summary>
    Messages,

    /// <summary><c>POST /v1/messages/count_tokens</c>.</summary>
    CountTokens,
}
