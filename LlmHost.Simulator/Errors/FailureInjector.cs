using LlmHost.Backends.Engines;

namespace LlmHost.Simulator.Errors;

/// <summary>Picks injected failures: by probability from the configured types, or forced by <c>X-Return-Error</c>.</summary>
public sealed class FailureInjector(SimulatorOptions options)
{
    public const string ForceHeader = "X-Return-Error";
    public const string StreamError = "stream_error";

    private readonly string[] _types = options.FailureTypes.Count > 0 ? [.. options.FailureTypes] : SimulatorOptions.KnownFailureTypes;

    /// <summary>The failure type to inject into this request, or null.</summary>
    public string? Pick(Random random) =>
        options.FailureRate > 0 && random.NextDouble() < options.FailureRate ? _types[random.Next(_types.Length)] : null;

    public bool ShouldDrop(Random random) => options.DropRate > 0 && random.NextDouble() < options.DropRate;

    /// <summary>The error answered for an injected failure type (before any byte of the answer was sent).</summary>
    public EngineError ErrorFor(string type, string model) => type switch
    {
        "rate_limit" => new(429, "RateLimitError",
            $"Rate limit reached for {model} in organization org-llmhost-sim on requests per min (RPM): Limit 3, Used 3, Requested 1."),
        "invalid_api_key" => new(401, "AuthenticationError", "Incorrect API key provided."),
        "context_length" => new(400, "BadRequestError",
            $"This model's maximum context length is {options.MaxModelLen} tokens. However, you requested {options.MaxModelLen + 1} tokens. Please reduce the length of the messages.",
            "messages"),
        "server_error" => new(503, "InternalServerError", "The server is overloaded or not ready yet."),
        "invalid_request" => new(400, "BadRequestError", "Invalid request: the simulator was told to reject it.", "model"),
        "model_not_found" => ModelNotFound(model),
        _ => new(500, "InternalServerError", "Internal server error"),
    };

    /// <summary>The unknown-model error of the imitated engine.</summary>
    public EngineError ModelNotFound(string model) => options.Engine == BackendEngine.Vllm
        ? new(404, "NotFoundError", $"The model `{model}` does not exist.", "model")
        : new(404, "NotFound", $"Model '{model}' is not served.");

    /// <summary>An error forced by the <c>X-Return-Error: STATUS</c> request header; null for a bad header value.</summary>
    public static EngineError? Forced(string? header)
    {
        if (!int.TryParse(header, out var status) || status is < 400 or > 599)
        {
            return null;
        }
        return new EngineError(status, EngineError.TypeForStatus(status), $"Error {status} forced by the {ForceHeader} header.");
    }
}
