using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// OpenAI-shaped answers for requests whose adapter could not be placed. Tenants learn what happened, never which
/// instance or what the engine said (paths, addresses): the log (events 801–805) has those.
/// </summary>
public static class AdapterErrors
{
    public static Task WriteAsync(HttpContext context, string adapter, PlacementResult result)
    {
        var name = ClientText.Bound(adapter);
        return result.Failure switch
        {
            PlacementFailure.LoadTimedOut => OpenAIErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout,
                $"The adapter `{name}` is still loading. Please try again shortly.", OpenAIErrors.ServerError, "adapter_loading",
                headers: RetryAfter(2)),
            PlacementFailure.LoadFailed when result.Load.SlotsBusy => OpenAIErrors.WriteAsync(context,
                StatusCodes.Status503ServiceUnavailable, $"The adapter `{name}` cannot be loaded now: every adapter slot of its backends serves requests. Please try again shortly.",
                OpenAIErrors.ServerError, "adapter_slots_busy", headers: RetryAfter(1)),
            PlacementFailure.LoadFailed when result.Load.Status != StatusCodes.Status503ServiceUnavailable => OpenAIErrors.WriteAsync(context, StatusCodes.Status502BadGateway,
                $"Loading the adapter `{name}` failed (engine status {result.Load.Status}); the gateway's log has the engine's answer.", OpenAIErrors.ServerError, "adapter_load_failed"),
            _ => OpenAIErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"No healthy backend is available for model `{name}`. Please try again later.", OpenAIErrors.ServerError, "backend_unavailable",
                headers: RetryAfter(1)),
        };
    }

    private static Action<HttpResponse> RetryAfter(int seconds) => response => response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
