using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// <c>GET /v1/models</c>: every routable model across all backends (base models, LoRA adapters with their
/// <c>parent</c>, mapped names), in OpenAI's list shape; <c>GET /v1/models/{id}</c>: one of them.
/// </summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (RouteRegistry routes) => TypedResults.Json(List(routes.Current), OpenAIJsonContext.Relaxed.ModelList));
        app.MapGet("/v1/models/{**id}", (HttpContext context, string id, RouteRegistry routes) =>
            routes.Current.TryGet(id, out var entry)
                ? context.Response.WriteAsJsonAsync(Card(entry), OpenAIJsonContext.Relaxed.ModelCard)
                : OpenAIErrors.ModelNotFoundAsync(context, id));
        return app;
    }

    internal static ModelList List(RoutingTable table)
    {
        var list = new ModelList();
        foreach (var entry in table.Entries)
        {
            list.Data.Add(Card(entry));
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
