namespace LlmHost.Gateway.ClientApis;

/// <summary>
/// What a <c>/v1</c> route does, attached to its endpoint as metadata: its name in metrics, traces and logs
/// (OpenTelemetry's GenAI operation names, plus <c>responses</c>, <c>messages</c> and <c>count_tokens</c>), whether it
/// generates tokens, the engine API it needs (null: every engine serves it), and whether its clients speak
/// Anthropic's dialect (errors, rate-limit headers).
/// </summary>
public sealed class ApiOperation
{
    public static readonly ApiOperation Chat = new("chat", generates: true);
    public static readonly ApiOperation TextCompletion = new("text_completion", generates: true);
    public static readonly ApiOperation Embeddings = new("embeddings", generates: false);
    public static readonly ApiOperation Responses = new("responses", generates: true, Backends.Engines.EngineApi.Responses);
    public static readonly ApiOperation Messages = new("messages", generates: true, Backends.Engines.EngineApi.Messages, anthropic: true);
    public static readonly ApiOperation CountTokens = new("count_tokens", generates: false, Backends.Engines.EngineApi.CountTokens, anthropic: true);
    public static readonly ApiOperation ResponseRetrieve = new("responses", generates: false, Backends.Engines.EngineApi.ResponseRetrieve);
    public static readonly ApiOperation ResponseCancel = new("responses", generates: false, Backends.Engines.EngineApi.ResponseCancel);
    public static readonly ApiOperation ResponseDelete = new("responses", generates: false, Backends.Engines.EngineApi.ResponseDelete);

    private ApiOperation(string name, bool generates, Backends.Engines.EngineApi? engineApi = null, bool anthropic = false)
    {
        (Name, Generates, EngineApi, Anthropic) = (name, generates, engineApi, anthropic);
    }

    public string Name { get; }

    /// <summary>Whether answers carry generated tokens (and a request reserves completion tokens).</summary>
    public bool Generates { get; }

    public Backends.Engines.EngineApi? EngineApi { get; }

    /// <summary>Anthropic's Messages API: errors in its shape, its rate-limit headers, <c>anthropic-version</c> passed on.</summary>
    public bool Anthropic { get; }

    /// <summary>The operation of the request's endpoint; chat for a request outside the generation routes.</summary>
    public static ApiOperation Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<ApiOperation>() ?? Chat;

    /// <summary>
    /// Whether the request is Anthropic's: by its endpoint, or — for a path no endpoint matched, or one refused before
    /// routing — by its path.
    /// </summary>
    public static bool IsAnthropic(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<ApiOperation>() is { } operation
            ? operation.Anthropic
            : context.Request.Path.StartsWithSegments("/v1/messages", StringComparison.OrdinalIgnoreCase);
}
