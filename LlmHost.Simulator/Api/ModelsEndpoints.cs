using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary><c>GET /v1/models</c> in the engine's shape; SGLang also serves <c>GET /v1/models/{model}</c>.</summary>
public static class ModelsEndpoints
{
    public static void MapModelsEndpoints(this IEndpointRouteBuilder app, SimulatorOptions options)
    {
        app.MapGet("/v1/models", (HttpContext context, ModelRegistry models) => WriteAsync(context, options, models, null));
        app.MapGet("/v1/models/{**model}", (HttpContext context, string model, ModelRegistry models) =>
            options.Engine == BackendEngine.Vllm
                ? EngineErrorWriter.WriteRouteNotFoundAsync(context)
                : WriteAsync(context, options, models, model));
    }

    private static async Task WriteAsync(HttpContext context, SimulatorOptions options, ModelRegistry models, string? single)
    {
        var vllm = options.Engine == BackendEngine.Vllm;
        var response = context.Response;
        response.ContentType = "application/json";
        var found = false;
        using (var json = new Utf8JsonWriter(response.BodyWriter, SimulatorJson.WriterOptions))
        {
            if (single is null)
            {
                json.WriteStartObject();
                json.WriteString("object", "list");
                json.WriteStartArray("data");
            }
            foreach (var name in models.ServedNames)
            {
                if (single is null || single == name)
                {
                    WriteCard(json, options, models, name, vllm ? options.Model : name, parent: null, options.MaxModelLen);
                    found = true;
                }
            }
            if (options.EnableLora)
            {
                foreach (var (adapter, path) in models.Adapters)
                {
                    if (single is null || single == adapter)
                    {
                        WriteCard(json, options, models, adapter, path, options.PrimaryServedName, maxModelLen: null);
                        found = true;
                    }
                }
            }
            if (single is null)
            {
                json.WriteEndArray();
                json.WriteEndObject();
            }
            else if (!found)
            {
                // OpenAI-style error for the retrieve route, as SGLang answers it.
                response.StatusCode = StatusCodes.Status404NotFound;
                json.WriteStartObject();
                json.WriteStartObject("error");
                json.WriteString("message", $"The model '{single}' does not exist");
                json.WriteString("type", "invalid_request_error");
                json.WriteString("param", "model");
                json.WriteString("code", "model_not_found");
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void WriteCard(Utf8JsonWriter json, SimulatorOptions options, ModelRegistry models, string id, string root, string? parent, int? maxModelLen)
    {
        var vllm = options.Engine == BackendEngine.Vllm;
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", models.Created);
        json.WriteString("owned_by", options.Profile.OwnedBy);
        json.WriteString("root", root);
        if (vllm || parent is not null)
        {
            if (parent is null)
            {
                json.WriteNull("parent");
            }
            else
            {
                json.WriteString("parent", parent);
            }
        }
        if (maxModelLen is { } len)
        {
            json.WriteNumber("max_model_len", len);
        }
        else
        {
            json.WriteNull("max_model_len");
        }
        if (vllm)
        {
            json.WriteStartArray("permission");
            json.WriteStartObject();
            json.WriteString("id", $"modelperm-{id.GetHashCode():x8}");
            json.WriteString("object", "model_permission");
            json.WriteNumber("created", models.Created);
            json.WriteBoolean("allow_create_engine", false);
            json.WriteBoolean("allow_sampling", true);
            json.WriteBoolean("allow_logprobs", true);
            json.WriteBoolean("allow_search_indices", false);
            json.WriteBoolean("allow_view", true);
            json.WriteBoolean("allow_fine_tuning", false);
            json.WriteString("organization", "*");
            json.WriteNull("group");
            json.WriteBoolean("is_blocking", false);
            json.WriteEndObject();
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}
