using LlmHost.Gateway.Metering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>The request path of the completion routes, its forwarder and client, and the server limits it relies on.</summary>
    public static IHostApplicationBuilder AddCompletionProxy(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHttpForwarder();
        services.AddSingleton<ForwarderClient>();
        services.AddSingleton<BackendForwarder>();
        services.AddSingleton<RequestInspector>();
        services.AddSingleton<RequestOutcomes>();
        services.AddSingleton<CompletionProxy>();
        services.AddSingleton<StoredResponses.ResponseOwners>();
        services.AddSingleton<StoredResponseProxy>();
        services.AddSingleton<ResponseAffinity>();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, ServerLimits>();
        return builder;
    }
}
