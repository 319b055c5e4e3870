using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// <c>GET /v1/models</c>: every routable model the caller's key may use, across all backends (base models, LoRA
/// adapters with their <c>parent</c>, mapped names), in OpenAI's list shape; <c>GET /v1/models/{id}</c>: one of them
/// (404 for a model the key may not use, so that names do not leak). Anthropic's clients get Anthropic's shape.
/// </summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/models", (HttpContext context, RouteRegistry routes) => AnthropicModels.Wanted(context)
            ? AnthropicModels.WriteListAsync(context, List(routes.Current, context.GetApiKey()))
            : context.Response.WriteAsJsonAsync(List(routes.Current, context.GetApiKey()), OpenAIJsonContext.Relaxed.ModelList));
        app.MapGet("/models/{**id}", (HttpContext context, string id, RouteRegistry routes) =>
            !routes.Current.TryGet(id, out var entry) || context.GetApiKey()?.Models.Allows(id) == false ? RoutingErrors.ModelNotFoundAsync(context, id)
            : AnthropicModels.Wanted(context) ? AnthropicModels.WriteCardAsync(context, Card(entry))
            : context.Response.WriteAsJsonAsync(Card(entry), OpenAIJsonContext.Relaxed.ModelCard));
        return app;
    }

    /// <summary>The models of <paramref name="table"/> that <paramref name="key"/> may use (all without a key).</summary>
    internal static ModelList List(RoutingTable table, ApiKey? key)
    {
        var list = new ModelList();
        foreach (var entry in table.Entries)
        {
            if (key is null || key.Models.Allows(entry.Model))
            {
                list.Data.Add(Card(entry));
            }
        }
        list.Data.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return list;
    }

    private static ModelCard Card(RouteEntry entry) => new()
    {
        Id = entry.Model,
        Created = entry.Created,
        OwnedBy = entry.OwnedBy,
        Root = entry.Parent is null ? entry.Model : null,
        Parent = entry.Parent,
        MaxModelLen = entry.MaxModelLen,
    };
}
