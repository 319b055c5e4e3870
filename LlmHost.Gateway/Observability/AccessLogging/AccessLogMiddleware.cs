using System.Diagnostics;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// One access-log line per request to <c>/v1/*</c> and <c>/admin/*</c>, written when the response is complete
/// (for a stream: after its last chunk), whatever the outcome — answered, refused, failed or cut short.
/// Health checks and <c>/metrics</c> scrapes are left out.
/// </summary>
public sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, ClientAddress clientAddress)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (!writer.Enabled || !(path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin")))
        {
            await next(context);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        var request = new RequestLogFeature();
        context.Features.Set(request);
        try
        {
            await next(context);
        }
        finally
        {
            string? line = null;
            try
            {
                line = AccessLogLine.Format(context, request, start, clientAddress.Resolve(context));
            }
            catch (Exception ex) when (ex is OutOfMemoryException or InvalidOperationException or ArgumentException)
            {
                writer.CountDropped();
            }
            if (line is not null)
            {
                writer.Write(line);
            }
        }
    }
}
