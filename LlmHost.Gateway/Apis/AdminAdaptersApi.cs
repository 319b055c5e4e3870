using LlmHost.Gateway.Adapters;
using LlmHost.Gateway.Apis.Contracts;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Routing;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// <c>/admin/adapters</c>: every adapter with where it is declared and loaded; load one (registering it in the
/// catalogue), unload one. A call that reached engines answers 200 when every engine succeeded, 207 when some did
/// and 502 when none did, always with each engine's answer.
/// </summary>
public static class AdminAdaptersApi
{
    /// <summary>Most instances one call may name.</summary>
    public const int MaxInstances = 256;

    public static RouteGroupBuilder MapAdminAdaptersApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/adapters", List);
        admin.MapPost("/adapters", LoadAsync);
        admin.MapDelete("/adapters/{name}", UnloadAsync);
        return admin;
    }

    private static async Task<IResult> List(AdapterCatalog catalog, BackendPool pool, BackendProbeService probes, bool? refresh, CancellationToken cancellationToken)
    {
        if (refresh == true)
        {
            // Ask every engine for its models now, rather than show what the last discovery round saw.
            await probes.DiscoverOnceAsync(cancellationToken);
        }
        var views = new SortedDictionary<string, AdapterView>(StringComparer.Ordinal);
        foreach (var adapter in catalog.Adapters)
        {
            views[adapter.Name] = new AdapterView
            {
                Name = adapter.Name, BaseModel = adapter.BaseModel, Path = adapter.Path, DeclaredIn = adapter.Source, Backends = [.. adapter.Backends],
            };
        }
        foreach (var instance in pool.All)
        {
            foreach (var card in instance.Models)
            {
                if (card.Parent is null)
                {
                    continue;
                }
                if (!views.TryGetValue(card.Id, out var view))
                {
                    views[card.Id] = view = new AdapterView { Name = card.Id, BaseModel = card.Parent, Path = card.Root, DeclaredIn = "engine" };
                }
                view.LoadedOn.Add(new AdapterInstanceView
                {
                    Instance = instance.Name, Backend = instance.Backend.Name, InFlight = instance.HeldAdapters.Use(card.Id).InFlight,
                });
            }
        }
        return TypedResults.Json(new AdapterList { Adapters = [.. views.Values] }, AdminJsonContext.Default.AdapterList);
    }

    private static async Task LoadAsync(HttpContext context, AdapterOperations operations)
    {
        if (await AdminBodies.ReadAsync(context, AdminJsonContext.Default.AdapterLoadBody) is not { } body)
        {
            return;
        }
        if (body.Instances is { Count: > MaxInstances })
        {
            await OpenAIErrors.BadRequestAsync(context, $"'instances' may name at most {MaxInstances} instances.", "instances");
            return;
        }
        var request = new AdapterLoadRequest(body.Name ?? "", body.Path ?? "", body.BaseModel, body.Backend, body.Instances, body.Register ?? true);
        var operation = await operations.LoadAsync(Actor(context), request, context.RequestAborted);
        await WriteAsync(context, request.Name, operation);
    }

    private static async Task UnloadAsync(HttpContext context, string name, string? instances, AdapterOperations operations)
    {
        var named = instances?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (named is { Length: 0 or > MaxInstances })
        {
            await OpenAIErrors.BadRequestAsync(context, $"'instances' must name 1 to {MaxInstances} instances, separated by commas.", "instances");
            return;
        }
        var operation = await operations.UnloadAsync(Actor(context), name, named, context.RequestAborted);
        await WriteAsync(context, name, operation);
    }

    private static string Actor(HttpContext context) => context.GetApiKey()?.Id ?? "unknown";

    private static async Task WriteAsync(HttpContext context, string adapter, AdapterOperation operation)
    {
        if (operation.Error is { } error)
        {
            await OpenAIErrors.WriteAsync(context, operation.Status, error, operation.Status >= 500 ? OpenAIErrors.ServerError : OpenAIErrors.InvalidRequest,
                operation.Status switch
                {
                    StatusCodes.Status404NotFound => "not_found",
                    StatusCodes.Status409Conflict => "conflict",
                    StatusCodes.Status503ServiceUnavailable => "adapter_file_busy",
                    _ => null,
                }, operation.Param);
            return;
        }
        var view = new AdapterOperationView { Adapter = adapter, Registered = operation.Registered };
        foreach (var outcome in operation.Outcomes)
        {
            var result = outcome.Result;
            view.Results.Add(new InstanceResultView
            {
                Instance = outcome.Instance,
                Ok = result.Succeeded,
                Status = result.Status,
                Message = result.Message,
                RuntimeLoraDisabled = result.RuntimeLoraDisabled ? true : null,
                SlotsFull = result.SlotsFull ? true : null,
            });
        }
        view.Failed = operation.Failed;
        view.Succeeded = view.Results.Count - view.Failed;
        var status = view.Failed == 0 ? StatusCodes.Status200OK : view.Succeeded > 0 ? StatusCodes.Status207MultiStatus : StatusCodes.Status502BadGateway;
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(view, AdminJsonContext.Default.AdapterOperationView, cancellationToken: context.RequestAborted);
    }
}
