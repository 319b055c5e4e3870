using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Utilities;

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

    public static Task ModelNotFoundAsync(HttpContext context, string model, string param = "model") =>
        WriteAsync(context, StatusCodes.Status404NotFound,
            $"The model `{ClientText.Bound(model)}` does not exist or you do not have access to it.", InvalidRequest, "model_not_found", param);

    /// <summary>A <c>/v1</c> path the gateway does not serve.</summary>
    public static Task UnknownPathAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound,
            $"Unknown request URL: {ClientText.Bound(context.Request.Method)} {ClientText.Bound(context.Request.Path.Value ?? "")}.", InvalidRequest, "unknown_url");

    /// <summary>A known path asked with a method it does not take.</summary>
    public static Task MethodNotAllowedAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
            $"The method {ClientText.Bound(context.Request.Method)} is not allowed on {ClientText.Bound(context.Request.Path.Value ?? "")}.", InvalidRequest, "method_not_allowed");

    /// <summary>A request field only the gateway's operator may set (see <c>gateway.operator_fields</c>).</summary>
    public static Task OperatorOnlyFieldAsync(HttpContext context, string field) =>
        BadRequestAsync(context, $"'{field}' is a field only the operator of this gateway may set; remove it from the request.", field, "unsupported_parameter");

    /// <summary>The client sent its body slower than <c>gateway.server.min_request_body_rate</c>.</summary>
    public static Task BodyTimeoutAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status408RequestTimeout, "The request body arrived too slowly.", InvalidRequest, "request_timeout");

    /// <summary>The memory request bodies may hold (the key's share, or the gateway's) is in use: try again soon.</summary>
    public static Task BodyBudgetSpentAsync(HttpContext context, string keyId, LimitKind budget) =>
        WriteAsync(context, StatusCodes.Status429TooManyRequests,
            budget == LimitKind.BodyBytes
                ? $"Rate limit reached for key '{keyId}' on request bodies in flight: the key's requests already hold its share of the gateway's memory. Please try again in 1s."
                : "The gateway is at its limit of request bodies in flight. Please try again in 1s.",
            "requests", "rate_limit_exceeded", headers: static response =>
            {
                response.Headers.RetryAfter = "1";
                response.Headers[RateLimitHeaders.RetryAfterMs] = "1000";
            });

    /// <summary>401 for a refused key, with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static Task InvalidApiKeyAsync(HttpContext context, string message) =>
        WriteAsync(context, StatusCodes.Status401Unauthorized, message, InvalidRequest, "invalid_api_key",
            headers: static response => response.Headers.WWWAuthenticate = "Bearer");

    public static Task ModelNotAllowedAsync(HttpContext context, string model, string keyId) =>
        WriteAsync(context, StatusCodes.Status403Forbidden,
            $"The API key '{keyId}' may not use the model `{ClientText.Bound(model)}`.", "permission_error", "model_not_allowed", "model");

    public static Task PayloadTooLargeAsync(HttpContext context, long limit) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
            $"The request body is larger than the limit of {(limit >= 1024 * 1024 ? $"{limit / (1024 * 1024)} MiB" : $"{limit / 1024} KiB")}.", InvalidRequest, "request_too_large");

    public static Task NoHealthyBackendAsync(HttpContext context, string model) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
            $"No healthy backend is available for model `{ClientText.Bound(model)}`. Please try again later.", ServerError, "backend_unavailable");

    public static Task BackendFailedAsync(HttpContext context, string backend) =>
        WriteAsync(context, StatusCodes.Status502BadGateway,
            $"The backend '{backend}' could not be reached or failed to answer.", ServerError, "backend_error");

    public static Task BackendTimeoutAsync(HttpContext context, string backend) =>
        WriteAsync(context, StatusCodes.Status504GatewayTimeout,
            $"The backend '{backend}' did not answer in time.", ServerError, "backend_timeout");

    /// <summary>
    /// 429 as OpenAI sends it: <c>type</c> <c>requests</c> or <c>tokens</c>, <c>code</c> <c>rate_limit_exceeded</c>, a
    /// message naming the limit with its limit, used and requested amounts, plus the retry and rate-limit headers.
    /// </summary>
    public static Task RateLimitedAsync(HttpContext context, string keyId, Admission admission)
    {
        var rejection = admission.Rejection;
        var wait = GoDuration.Format(rejection.RetryAfter);
        var (type, message) = rejection.Kind switch
        {
            LimitKind.GlobalConcurrency => ("requests",
                $"The gateway is at its limit of concurrent requests: Limit {rejection.Limit}, Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Concurrency => ("requests",
                $"Rate limit reached for key '{keyId}' on concurrent requests: Limit {rejection.Limit}, Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Requests => ("requests",
                $"Rate limit reached for key '{keyId}' on requests per second (QPS): Limit {rejection.Limit} (burst), Used {rejection.Used}, Requested 1. Please try again in {wait}."),
            LimitKind.Tokens => ("tokens",
                $"Rate limit reached for key '{keyId}' on tokens per min (TPM): Limit {rejection.Limit}, Used {rejection.Used}, Requested {rejection.Requested}. Please try again in {wait}."),
            _ => ("tokens",
                $"Request too large for key '{keyId}' on tokens per min (TPM): Limit {rejection.Limit}, Requested {rejection.Requested}. "
                + "The input or output tokens must be reduced in order to run successfully: lower max_tokens or shorten the prompt."),
        };
        var state = admission.State;
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, message, type, "rate_limit_exceeded", headers: response =>
        {
            RateLimitHeaders.Write(response.Headers, state);
            RateLimitHeaders.WriteRetry(response.Headers, rejection);
        });
    }
}
