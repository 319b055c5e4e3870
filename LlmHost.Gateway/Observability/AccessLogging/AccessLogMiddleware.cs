using System.Diagnostics;
using LlmHost.Gateway.Authentication;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// One access-log line per request to <c>/v1/*</c> and <c>/admin/*</c>, written when the response is complete
/// (for a stream: after its last chunk), whatever the outcome — answered, refused, failed or cut short.
/// Health checks and <c>/metrics</c> scrapes are left out, and so are the lines of unauthenticated requests beyond
/// <see cref="LineRateLimiter"/>'s rate (counted instead): nobody without a key can fill the disk.
/// The outermost step of the pipeline, it also gives every bodiless error answer its OpenAI body
/// (<see cref="Errors.OpenAIStatusPages"/>) before the line is written: one async step for both, where ASP.NET Core's
/// status-pages middleware would add one to every request.
/// </summary>
public sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, ClientAddress clientAddress)
{
    private readonly LineRateLimiter _unauthenticated = new();

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!writer.Enabled || !(path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin")))
        {
            await next(context);
            await Errors.OpenAIStatusPages.WriteIfBodilessAsync(context);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        var request = new RequestLogFeature();
        context.Features.Set(request);
        try
        {
            await next(context);
            await Errors.OpenAIStatusPages.WriteIfBodilessAsync(context);
        }
        finally
        {
            Log(context, request, start);
        }
    }

    private void Log(HttpContext context, RequestLogFeature request, long start)
    {
        if (context.GetApiKey() is null && !_unauthenticated.TryTake())
        {
            writer.CountUnauthenticatedDropped();
            return;
        }
        ReadOnlySpan<byte> line;
        try
        {
            line = AccessLogLine.Format(context, request, start, clientAddress.Resolve(context));
        }
        catch (Exception ex) when (ex is OutOfMemoryException or InvalidOperationException or ArgumentException)
        {
            writer.CountDropped();
            return;
        }
        writer.Write(line);
    }
}
