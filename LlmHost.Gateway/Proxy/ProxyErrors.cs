using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Proxy;

/// <summary>The answers of the request path when a request cannot be served, in OpenAI's shape.</summary>
public static class ProxyErrors
{
    public static Task ModelNotAllowedAsync(HttpContext context, string model, string keyId) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
            $"The API key '{keyId}' may not use the model `{ClientText.Bound(model)}`.", "permission_error", "model_not_allowed", "model");

    /// <summary>A request field only the gateway's operator may set (see <c>gateway.operator_fields</c>).</summary>
    public static Task OperatorOnlyFieldAsync(HttpContext context, string field) =>
        OpenAIErrors.BadRequestAsync(context, $"'{field}' is a field only the operator of this gateway may set; remove it from the request.", field, "unsupported_parameter");

    /// <summary>The client sent its body slower than <c>gateway.server.min_request_body_rate</c>.</summary>
    public static Task BodyTimeoutAsync(HttpContext context) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status408RequestTimeout, "The request body arrived too slowly.", OpenAIErrors.InvalidRequest, "request_timeout");

    public static Task NoHealthyBackendAsync(HttpContext context, string model) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"No healthy backend is available for model `{ClientText.Bound(model)}`. Please try again later.", OpenAIErrors.ServerError, "backend_unavailable");

    /// <summary>The instances the request was placed on were unloading its adapter (to make room) when it was sent.</summary>
    public static Task AdapterMovingAsync(HttpContext context, string model) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"The adapter `{ClientText.Bound(model)}` was being unloaded where this request was placed. Please try again.", OpenAIErrors.ServerError,
            "adapter_unavailable", headers: response => response.Headers.RetryAfter = "1");

    /// <summary>The sleeping engine that serves the model could not be woken.</summary>
    public static Task WakeFailedAsync(HttpContext context, string model) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"The engine serving `{ClientText.Bound(model)}` was asleep and could not be woken. Please try again later.", OpenAIErrors.ServerError,
            "backend_unavailable", headers: response => response.Headers.RetryAfter = "5");

    /// <summary>The sleeping engine that serves the model is still waking after <c>sleep.wake_timeout</c>.</summary>
    public static Task WakingAsync(HttpContext context, string model) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"The engine serving `{ClientText.Bound(model)}` is waking up. Please try again shortly.", OpenAIErrors.ServerError,
            "backend_waking", headers: response => response.Headers.RetryAfter = "2");

    public static Task BackendFailedAsync(HttpContext context, string backend) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
            $"The backend '{backend}' could not be reached or failed to answer.", OpenAIErrors.ServerError, "backend_error");

    public static Task BackendTimeoutAsync(HttpContext context, string backend) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout,
            $"The backend '{backend}' did not answer in time.", OpenAIErrors.ServerError, "backend_timeout");

    /// <summary>The engines behind the model do not serve the API (or this operation of it), by their profile and release.</summary>
    public static Task UnsupportedApiAsync(HttpContext context, string model, string path) =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status501NotImplemented,
            $"The engine serving `{ClientText.Bound(model)}` does not support {path}.", OpenAIErrors.InvalidRequest, "unsupported_api");
}
