using LlmHost.Gateway.Authentication;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// For a key with <c>log_bodies</c> (a debugging switch), keeps the first 16 KiB of the request body as it is read and
/// of the answer as the client receives it, for the access log and the messages on the request's span. Runs after
/// authentication; other keys pass untouched.
/// </summary>
public sealed class BodyCaptureMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context) =>
        context.GetApiKey() is not { LogBodies: true } || (context.Features.Get<RequestLogFeature>() is null && ExportedSpan.Current is null)
            ? next(context)
            : CaptureAsync(context);

    private async Task CaptureAsync(HttpContext context)
    {
        var capture = new BodyCaptureFeature();
        context.Features.Set(capture);
        var (request, response) = (context.Request.Body, context.Response.Body);
        context.Request.Body = new CapturingStream(request, capture.Request);
        await using var capturing = new CapturingStream(response, capture.Response);
        context.Response.Body = capturing;
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Body = request;
            context.Response.Body = response;
        }
    }
}
