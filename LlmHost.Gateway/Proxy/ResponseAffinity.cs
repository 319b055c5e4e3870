using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.StoredResponses;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The request path's part in stored responses (Responses API): a request that continues one goes to the instance
/// that keeps it, and reserves the conversation's tokens the engine reads again; an answer that creates one makes
/// its id known — before the bytes carrying it reach the client — and, once it ends, the size of its conversation.
/// </summary>
public sealed class ResponseAffinity(ResponseOwners owners)
{
    /// <summary>
    /// The route of a request that continues a stored response (<c>previous_response_id</c>): that instance only; it
    /// must be the key's own response, of the same model. The route as it was for any other request; null when
    /// refused (answered here).
    /// </summary>
    public async ValueTask<RouteEntry?> RouteAsync(HttpContext context, ApiKey key, InspectedRequest request, RouteEntry route)
    {
        if (request.PreviousResponseId is not { } id || request.Operation != ApiOperation.Responses)
        {
            return route;
        }
        if (await owners.FindAsync(key.Id, id) is not { } owner)
        {
            await StoredResponseErrors.NotFoundAsync(context, id, "previous_response_id");
            return null;
        }
        if (owner.Model != route.Model)
        {
            await StoredResponseErrors.ModelMismatchAsync(context, id, owner.Model);
            return null;
        }
        var index = route.IndexOf(owner.Instance);
        if (index < 0)
        {
            await StoredResponseErrors.InstanceGoneAsync(context, id, "previous_response_id");
            return null;
        }
        request.ConversationTokens = owner.ConversationTokens;
        return route.PinnedTo(index);
    }

    /// <summary>For an answer that will be stored: its id, as soon as it is read, is remembered with the instance that answered.</summary>
    public void Track(CompletionMeasurement measurement, ApiKey key, RouteEntry route)
    {
        if (measurement.KeepsResponseId)
        {
            measurement.OnResponseId = id => owners.RememberAsync(id, new ResponseOwner(measurement.Backend!, key.Id, route.Model));
        }
    }

    /// <summary>Once the answer ended: the conversation's size (its whole prompt and its answer), for the follow-ups' reservations.</summary>
    public void Settle(CompletionMeasurement measurement, ApiKey key, RouteEntry route)
    {
        if (measurement is { KeepsResponseId: true, ResponseId: { } id, Backend: { } instance, Source: UsageSource.Reported })
        {
            owners.Update(id, new ResponseOwner(instance, key.Id, route.Model, measurement.TotalTokens));
        }
    }
}
