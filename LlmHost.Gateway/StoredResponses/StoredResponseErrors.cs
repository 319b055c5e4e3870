using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.StoredResponses;

/// <summary>The answers about stored responses (Responses API), in OpenAI's shape.</summary>
public static class StoredResponseErrors
{
    /// <summary>Unknown, expired, or another key's: the same answer, so that ids of other tenants do not show.</summary>
    public static Task NotFoundAsync(HttpContext context, string id, string? param) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            $"No response with id '{ClientText.Bound(id)}' was found.", OpenAIErrors.InvalidRequest, param is null ? "response_not_found" : "previous_response_not_found", param);

    public static Task InvalidIdAsync(HttpContext context) =>
        OpenAIErrors.BadRequestAsync(context,
            $"A response id is made of letters, digits, '_' and '-' (at most {ClientApis.ResponseIds.MaxLength}).", "response_id", "invalid_response_id");

    /// <summary>The engine instance that kept the response no longer serves its model: its memory, and the response, are gone.</summary>
    public static Task InstanceGoneAsync(HttpContext context, string id, string? param) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            $"The response '{ClientText.Bound(id)}' was kept by an engine instance that no longer serves its model; it is gone. Start again without previous_response_id.",
            OpenAIErrors.InvalidRequest, "response_instance_gone", param);

    /// <summary>A follow-up that names another model than the response it continues was asked of.</summary>
    public static Task ModelMismatchAsync(HttpContext context, string id, string model) =>
        OpenAIErrors.BadRequestAsync(context,
            $"The response '{ClientText.Bound(id)}' was created with the model `{ClientText.Bound(model)}`; a follow-up must use the same model.",
            "model", "previous_response_model_mismatch");

    /// <summary>The instance that keeps the response is there but cannot take requests now (failing, ejected).</summary>
    public static Task InstanceUnavailableAsync(HttpContext context, string id) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"The engine instance that keeps the response '{ClientText.Bound(id)}' is unavailable. Please try again shortly.", OpenAIErrors.ServerError,
            "backend_unavailable", headers: static response => response.Headers.RetryAfter = "2");
}
