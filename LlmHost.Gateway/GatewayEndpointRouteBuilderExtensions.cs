using LlmHost.Gateway.Apis;
using LlmHost.Gateway.Proxy;

namespace LlmHost.Gateway;

public static class GatewayEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        var proxy = app.ServiceProvider.GetRequiredService<CompletionProxy>();
        app.MapPost("/v1/chat/completions", proxy.HandleAsync);
        app.MapPost("/v1/completions", proxy.HandleAsync);
        app.MapPost("/v1/embeddings", proxy.HandleAsync);
        app.MapModelsApi();
        return app;
    }
}
