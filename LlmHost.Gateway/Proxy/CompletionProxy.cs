using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The request path for <c>/v1/chat/completions</c>, <c>/v1/completions</c> and <c>/v1/embeddings</c>: inspect the
/// body, route by <c>model</c>, pick a backend instance, and stream the answer through YARP's forwarder.
/// </summary>
public sealed class CompletionProxy(
    GatewayConfig config,
    RouteRegistry routes,
    IHttpForwarder forwarder,
    ForwarderClient client,
    ILogger<CompletionProxy> logger)
{
    private readonly long _maxBodyBytes = config.Settings.Gateway.MaxRequestBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        var inspection = await RequestInspector.ReadAsync(context, _maxBodyBytes);
        if (inspection.IsTooLarge)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, _maxBodyBytes);
            return;
        }
        if (inspection.Request is not { } request)
        {
            await OpenAIErrors.BadRequestAsync(context, inspection.Error!, inspection.Param);
            return;
        }

        using (request)
        {
            if (!routes.Current.TryGet(request.Model, out var route))
            {
                await OpenAIErrors.ModelNotFoundAsync(context, request.Model);
                return;
            }
            var instance = BackendSelector.Pick(route.Instances);
            if (instance is null)
            {
                await OpenAIErrors.NoHealthyBackendAsync(context, request.Model);
                return;
            }
            await ForwardAsync(context, request, instance);
        }
    }

    private async Task ForwardAsync(HttpContext context, InspectedRequest request, BackendInstance instance)
    {
        context.Request.Body = request.OpenBody();
        context.Request.ContentLength = request.Length;
        instance.Enter();
        try
        {
            var error = await forwarder.SendAsync(context, instance.Address, client.Invoker, client.RequestConfig, instance.Transformer);
            if (error == ForwarderError.None)
            {
                return;
            }
            var feature = context.GetForwarderErrorFeature();
            GatewayLog.ForwardFailed(logger, instance.Name, error.ToString(), feature?.Exception);
            switch (error)
            {
                case ForwarderError.RequestTimedOut:
                    await OpenAIErrors.BackendTimeoutAsync(context, instance.Name);
                    break;
                case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled:
                    break; // the client went away; nobody is left to answer
                default:
                    await OpenAIErrors.BackendFailedAsync(context, instance.Name);
                    break;
            }
        }
        finally
        {
            instance.Leave();
        }
    }
}
