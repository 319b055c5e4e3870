using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Proxy;

/// <summary>A client that went away before its answer was complete: nobody is left to answer; recorded as 499, as Nginx does.</summary>
internal static class ClientGone
{
    public static void Mark(HttpContext context, CompletionMeasurement? measurement)
    {
        measurement?.ClientGone = true;
        if (!context.Response.HasStarted)
        {
            context.Response.StatusCode = CompletionMeasurement.ClientClosedRequest;
        }
    }
}
