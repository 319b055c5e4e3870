using LlmHost.Gateway.Admin;
using LlmHost.Gateway.Apis;
using LlmHost.Gateway.Proxy;

namespace LlmHost.Gateway;

public static class GatewayEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        var proxy = app.ServiceProvider.GetRequiredService<CompletionProxy>();
        var v1 = app.MapGroup("/v1").RequireAuthorization();
        v1.MapPost("/chat/completions", proxy.HandleAsync);
        v1.MapPost("/completions", proxy.HandleAsync);
        v1.MapPost("/embeddings", proxy.HandleAsync);
        v1.MapModelsApi();
        app.MapAdminApi();
        return app;
    }
}
