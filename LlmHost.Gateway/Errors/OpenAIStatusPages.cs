using Microsoft.AspNetCore.Diagnostics;

namespace LlmHost.Gateway.Errors;

/// <summary>
/// Gives an OpenAI-shaped body to the empty error answers of routing: an unknown path (404), a method the path does
/// not take (405), and any other bodiless error status. Answers that carry a body already, and requests whose
/// client is gone, are left alone.
/// </summary>
public static class OpenAIStatusPages
{
    public static Task WriteAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        if (context.RequestAborted.IsCancellationRequested)
        {
            return Task.CompletedTask;
        }
        return context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => OpenAIErrors.UnknownPathAsync(context),
            StatusCodes.Status405MethodNotAllowed => OpenAIErrors.MethodNotAllowedAsync(context),
            GatewayStatusCodes.ClientClosedRequest => Task.CompletedTask,
            var code => OpenAIErrors.WriteAsync(context, code, $"The request failed with status {code}.",
                code >= 500 ? OpenAIErrors.ServerError : OpenAIErrors.InvalidRequest),
        };
    }
}
