using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Errors;

/// <summary>
/// The OpenAI error envelope (<c>{"error":{"message","type","param","code"}}</c>), so that OpenAI SDKs raise the right
/// exception type, and the answers that belong to no feature (a bad body, an unknown path or method, a body over
/// the size limit). Each feature writes its own refusals with it; on Anthropic's Messages API they go out in
/// Anthropic's envelope instead (<see cref="AnthropicErrors"/>), with the same status and message.
/// </summary>
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
        if (ClientApis.ApiOperation.IsAnthropic(context))
        {
            await response.Body.WriteAsync(AnthropicErrors.Body(status, message), context.RequestAborted);
            return;
        }
        await JsonSerializer.SerializeAsync(response.Body, ErrorResponse.Create(message, type, code, param), OpenAIJsonContext.Relaxed.ErrorResponse, context.RequestAborted);
    }

    public static Task BadRequestAsync(HttpContext context, string message, string? param = null, string? code = null) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, message, InvalidRequest, code, param);

    /// <summary>A path the gateway does not serve.</summary>
    public static Task UnknownPathAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status404NotFound,
            $"Unknown request URL: {ClientText.Bound(context.Request.Method)} {ClientText.Bound(context.Request.Path.Value ?? "")}.", InvalidRequest, "unknown_url");

    /// <summary>A known path asked with a method it does not take.</summary>
    public static Task MethodNotAllowedAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
            $"The method {ClientText.Bound(context.Request.Method)} is not allowed on {ClientText.Bound(context.Request.Path.Value ?? "")}.", InvalidRequest, "method_not_allowed");

    public static Task PayloadTooLargeAsync(HttpContext context, long limit) =>
        WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
            $"The request body is larger than the limit of {(limit >= 1024 * 1024 ? $"{limit / (1024 * 1024)} MiB" : $"{limit / 1024} KiB")}.", InvalidRequest, "request_too_large");
}
