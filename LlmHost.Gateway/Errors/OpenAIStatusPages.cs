namespace LlmHost.Gateway.Errors;

/// <summary>
/// Gives an OpenAI-shaped body to the empty error answers of routing: an unknown path (404), a method the path does
/// not take (405), and any other bodiless error status. Answers that carry a body already, and requests whose
/// client is gone, are left alone.
/// </summary>
public static class OpenAIStatusPages
{
    /// <summary>
    /// After the pipeline: an error status (400–599) with nothing written yet — not started, no length, no content
    /// type, as ASP.NET Core's status-code pages decide — gets its body; anything else is left as it is.
    /// </summary>
    public static Task WriteIfBodilessAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.StatusCode is < 400 or > 599 || response.HasStarted || response.ContentLength is not null
            || !string.IsNullOrEmpty(response.ContentType) || context.RequestAborted.IsCancellationRequested)
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
