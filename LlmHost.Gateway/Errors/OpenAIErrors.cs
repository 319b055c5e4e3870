using System.Text.Json;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Errors;

/// <summary>Writes gateway errors in OpenAI's envelope, so that OpenAI SDKs raise the right exception type.</summary>
public static class OpenAIErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    public static async Task WriteAsync(HttpContext context, int status, string message, string type, string? code = null, string? param = null,
        Action<HttpResponse>? headers = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }
        response.Clear();
        headers?.Invoke(response);
        response.StatusCode = status;
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, ErrorResponse.Create(message, type, code, param), OpenAIJsonContext.Relaxed.ErrorResponse, context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message, string? param = null, string? code = null) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, message, InvalidRequest, code, param);

    public static Task ModelNotFoundAsync(HttpContext context, string model) =>
        WriteAsync(context, StatusCodes.Status404NotFound,
            $"The model `{model}` does not exist or you do not have access to it.", InvalidRequest, "model_not_found", "model");

    /// <summary>401 for a refused key, with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static Task InvalidApiKeyAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, message, InvalidRequest, "invalid_api_key",
            headers: static response => response.Headers.WWWAuthenticate = "Bearer");

    public static Task ModelNotAllowedAsync(HttpContext context, string model, string keyId) =>
        WriteAsync(context, StatusCodes.Status403Forbidden,
            $"The API key '{keyId}' may not use the model `{model}`.", "permission_error", "model_not_allowed", "model");

    public static Task PayloadTooLargeAsync(HttpContext context, long limit) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
            $"The request body is larger than the limit of {limit / (1024 * 1024)} MiB.", InvalidRequest, "request_too_large");

    public static Task NoHealthyBackendAsync(HttpContext context, string model) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"No healthy backend is available for model `{model}`. Please try again later.", ServerError, "backend_unavailable");

    public static Task BackendFailedAsync(HttpContext context, string backend) =>
        WriteAsync(context, StatusCodes.Status502BadGateway,
            $"The backend '{backend}' could not be reached or failed to answer.", ServerError, "backend_error");

    public static Task BackendTimeoutAsync(HttpContext context, string backend) =>
        WriteAsync(context, StatusCodes.Status504GatewayTimeout,
            $"The backend '{backend}' did not answer in time.", ServerError, "backend_timeout");
}
