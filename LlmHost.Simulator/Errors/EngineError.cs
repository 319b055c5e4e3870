namespace LlmHost.Simulator.Errors;

/// <summary>An error the simulated engine answers with: HTTP status, engine error type, message and parameter.</summary>
public sealed record EngineError(int Status, string Type, string Message, string? Param = null)
{
    /// <summary>The error type vLLM (and llm-d's simulator) derive from an HTTP status.</summary>
    public static string TypeForStatus(int status) => status switch
    {
        400 => "BadRequestError",
        401 => "AuthenticationError",
        403 => "PermissionDeniedError",
        404 => "NotFoundError",
        422 => "UnprocessableEntityError",
        429 => "RateLimitError",
        >= 500 => "InternalServerError",
        _ => "BadRequestError",
    };
}
