using LlmHost.Backends.OpenAI;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Apis;

/// <summary><c>GET /v1/models</c>: every routable model across all backends, adapters with their <c>parent</c>.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (RouteRegistry routes) => TypedResults.Json(List(routes.Current), OpenAIJsonContext.Relaxed.ModelList));
        return app;
    }

    internal static ModelList List(RoutingTable table)
    {
        var list = new ModelList();
        foreach (var entry in table.Entries)
        {
            list.Data.Add(new ModelCard
            {
                Id = entry.Model,
                Created = entry.Created,
                OwnedBy = entry.OwnedBy,
                Root = entry.Parent is null ? entry.Model : null,
                Parent = entry.Parent,
                MaxModelLen = entry.MaxModelLen,
            });
        }
        list.Data.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return list;
    }
}
