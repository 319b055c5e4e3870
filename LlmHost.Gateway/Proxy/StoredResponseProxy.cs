using System.Diagnostics;
using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.StoredResponses;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// <c>GET</c> and <c>DELETE /v1/responses/{id}</c> and <c>POST /v1/responses/{id}/cancel</c>: a stored response is
/// reached only by the key that created it, only on the engine instance that keeps it, only where that engine
/// serves the operation. The key's concurrency and QPS apply; no tokens are reserved (nothing is generated).
/// </summary>
public sealed class StoredResponseProxy(LimitEnforcer limits, ResponseOwners owners, RouteRegistry routes, BackendForwarder forwarder, RequestOutcomes outcomes)
{
    public async Task HandleAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        var key = context.GetApiKey()!;
        var entry = await limits.EnterAsync(key, limits.PolicyFor(key));
        if (entry.Ticket is not { } ticket)
        {
            outcomes.Rejected(context, key.Id, entry.Rejection.Kind.Label());
            await RateLimitErrors.RateLimitedAsync(context, key.Id, entry);
            return;
        }
        ticket.State = entry.State;
        RateLimitHeaders.WriteOnStarting(context.Response, ticket);
        CompletionMeasurement? measurement = null;
        try
        {
            if (await FindAsync(context, key) is not { } found)
            {
                return;
            }
            var (id, model, instance) = found;
            measurement = new CompletionMeasurement(model, stream: false, start)
            {
                Operation = ApiOperation.Of(context).Name,
                Backend = instance.Name,
                Attempts = 1,
                Provider = instance.Backend.Profile.Name,
                ServerHost = instance.Host,
                ServerPort = instance.Port,
            };
            context.Features.Set(measurement);
            await forwarder.RelayAsync(context, instance);
            if (HttpMethods.IsDelete(context.Request.Method) && context.Response.StatusCode is >= 200 and < 300)
            {
                await owners.ForgetAsync(key.Id, id);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            ClientGone.Mark(context, measurement);
        }
        finally
        {
            ticket.Complete(0);
            Observe(context, measurement);
        }
    }

    // Metrics, traces and the access log see these calls as they see generations: the refused ones as refusals.
    private void Observe(HttpContext context, CompletionMeasurement? measurement)
    {
        if (measurement is null)
        {
            Observability.RequestTraceObserver.Refused(ApiOperation.Of(context).Name, context.Response.StatusCode);
            return;
        }
        measurement.Status = measurement.ClientGone ? CompletionMeasurement.ClientClosedRequest : context.Response.StatusCode;
        measurement.Duration = Stopwatch.GetElapsedTime(measurement.StartTimestamp);
        outcomes.Completed(context, measurement);
    }

    // The response's id, its model and the instance that keeps it; null when refused (answered here).
    private async ValueTask<(string Id, string Model, BackendInstance Instance)?> FindAsync(HttpContext context, ApiKey key)
    {
        if (context.Request.RouteValues["id"] is not string id || !ResponseIds.IsValid(id))
        {
            await StoredResponseErrors.InvalidIdAsync(context);
            return null;
        }
        // Unknown, expired and another key's answer alike.
        if (await owners.FindAsync(key.Id, id) is not { } owner || !key.Models.Allows(owner.Model))
        {
            await StoredResponseErrors.NotFoundAsync(context, id, null);
            return null;
        }
        if (!routes.Current.TryGet(owner.Model, out var route) || route.IndexOf(owner.Instance) is var index && index < 0)
        {
            await StoredResponseErrors.InstanceGoneAsync(context, id, null);
            return null;
        }
        var instance = route.Instances[index];
        var operation = ApiOperation.Of(context);
        if (operation.EngineApi is { } api && !instance.Backend.Profile.Serves(api, instance.Backend.EngineVersion))
        {
            await ProxyErrors.UnsupportedApiAsync(context, owner.Model, $"{context.Request.Method} {CanonicalPath.Of(context)}");
            return null;
        }
        if (!instance.Available)
        {
            await StoredResponseErrors.InstanceUnavailableAsync(context, id);
            return null;
        }
        return (id, owner.Model, instance);
    }
}
