using LlmHost.Gateway.Proxy;

namespace LlmHost.Gateway.Apis;

/// <summary>The OpenAI-compatible routes under <c>/v1</c>, every one behind an API key.</summary>
public static class OpenAIApi
{
    public static IEndpointRouteBuilder MapOpenAIApi(this IEndpointRouteBuilder app)
    {
        var proxy = app.ServiceProvider.GetRequiredService<CompletionProxy>();
        var v1 = app.MapGroup("/v1").RequireAuthorization();
        v1.MapPost("/chat/completions", proxy.HandleAsync);
        v1.MapPost("/completions", proxy.HandleAsync);
        v1.MapPost("/embeddings", proxy.HandleAsync);
        v1.MapModelsApi();
        return app;
    }
}
