using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Proxy;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// The client routes under <c>/v1</c>, every one behind an API key: OpenAI's chat completions, completions,
/// embeddings and Responses API, Anthropic's Messages API, and the model list.
/// </summary>
public static class OpenAIApi
{
    public static IEndpointRouteBuilder MapOpenAIApi(this IEndpointRouteBuilder app)
    {
        var proxy = app.ServiceProvider.GetRequiredService<CompletionProxy>();
        var stored = app.ServiceProvider.GetRequiredService<StoredResponseProxy>();
        var v1 = app.MapGroup("/v1").RequireApiKey();
        v1.MapPost("/chat/completions", proxy.HandleAsync).WithMetadata(ApiOperation.Chat);
        v1.MapPost("/completions", proxy.HandleAsync).WithMetadata(ApiOperation.TextCompletion);
        v1.MapPost("/embeddings", proxy.HandleAsync).WithMetadata(ApiOperation.Embeddings);
        v1.MapPost("/responses", proxy.HandleAsync).WithMetadata(ApiOperation.Responses);
        v1.MapGet("/responses/{id}", stored.HandleAsync).WithMetadata(ApiOperation.ResponseRetrieve);
        v1.MapDelete("/responses/{id}", stored.HandleAsync).WithMetadata(ApiOperation.ResponseDelete);
        v1.MapPost("/responses/{id}/cancel", stored.HandleAsync).WithMetadata(ApiOperation.ResponseCancel);
        v1.MapPost("/messages", proxy.HandleAsync).WithMetadata(ApiOperation.Messages);
        v1.MapPost("/messages/count_tokens", proxy.HandleAsync).WithMetadata(ApiOperation.CountTokens);
        v1.MapModelsApi();
        return app;
    }
}
