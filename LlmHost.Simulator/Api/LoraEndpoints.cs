using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Runtime LoRA load/unload. vLLM: <c>/v1/load_lora_adapter</c>, only with VLLM_ALLOW_RUNTIME_LORA_UPDATING, plain-text
/// success. SGLang: <c>/load_lora_adapter</c> (no <c>/v1</c>), a JSON envelope with <c>success</c>.
/// </summary>
public static class LoraEndpoints
{
    public static void MapLoraEndpoints(this IEndpointRouteBuilder app, SimulatorOptions options)
    {
        var profile = options.Profile;
        app.MapPost(profile.LoadLoraPath, (HttpContext c, ModelRegistry m, EngineErrorWriter e) => HandleAsync(c, options, m, e, load: true));
        app.MapPost(profile.UnloadLoraPath, (HttpContext c, ModelRegistry m, EngineErrorWriter e) => HandleAsync(c, options, m, e, load: false));
    }

    private static async Task HandleAsync(HttpContext context, SimulatorOptions options, ModelRegistry models, EngineErrorWriter errors, bool load)
    {
        if (!options.AllowRuntimeLora)
        {
            await EngineErrorWriter.WriteRouteNotFoundAsync(context);
            return;
        }
        string? name = null, path = null;
        var inPlace = false;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                name = StringField(root, "lora_name");
                path = StringField(root, "lora_path");
                inPlace = root.TryGetProperty("load_inplace", out var p) && p.ValueKind == JsonValueKind.True;
            }
        }
        catch (JsonException ex)
        {
            await errors.WriteAsync(context, RequestPlan.Validation($"body: {ex.Message}"));
            return;
        }

        if (load)
        {
            models.CountLoadRequest();
        }
        if (load && options.LoraLoadMs > 0 && !string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(path))
        {
            // Reading the weights: the time a runtime load takes.
            await Task.Delay(TimeSpan.FromMilliseconds(options.LoraLoadMs), context.RequestAborted);
        }
        var missing = load && options.LoraCheckPaths && !string.IsNullOrEmpty(path) && !File.Exists(path) && !Directory.Exists(path);
        if (options.Engine == BackendEngine.Vllm)
        {
            if (missing)
            {
                // vLLM's answer when the worker finds no adapter files at the path.
                await errors.WriteAsync(context, new EngineError(404, "NotFoundError", $"Loading lora {name} failed: No adapter found for {path}"));
                return;
            }
            await HandleVllmAsync(context, models, errors, load, name, path, inPlace);
        }
        else
        {
            await HandleSglangAsync(context, options, models, load, name, path, missing);
        }
    }

    private static async Task HandleVllmAsync(HttpContext context, ModelRegistry models, EngineErrorWriter errors, bool load, string? name, string? path, bool inPlace)
    {
        if (load)
        {
            if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(path))
            {
                await errors.WriteAsync(context, new EngineError(400, "InvalidUserInput", "Both 'lora_name' and 'lora_path' must be provided."));
                return;
            }
            if (inPlace)
            {
                models.SetAdapter(name, path);
            }
            else if (!models.TryAddAdapter(name, path))
            {
                await errors.WriteAsync(context, new EngineError(400, "InvalidUserInput",
                    $"The lora adapter '{name}' has already been loaded. If you want to load the adapter in place, set 'load_inplace' to True."));
                return;
            }
            await PlainTextAsync(context, $"Success: LoRA adapter '{name}' added successfully.");
            return;
        }
        if (string.IsNullOrEmpty(name))
        {
            await errors.WriteAsync(context, new EngineError(400, "InvalidUserInput", "'lora_name' needs to be provided to unload a LoRA adapter."));
            return;
        }
        if (!models.TryRemoveAdapter(name))
        {
            await errors.WriteAsync(context, new EngineError(404, "NotFoundError", $"The lora adapter '{name}' cannot be found."));
            return;
        }
        await PlainTextAsync(context, $"Success: LoRA adapter '{name}' removed successfully.");
    }

    private static async Task HandleSglangAsync(HttpContext context, SimulatorOptions options, ModelRegistry models, bool load, string? name, string? path, bool missing)
    {
        string? failure = null;
        if (!options.EnableLora)
        {
            failure = "LoRA is not enabled. Please set `--enable-lora` to use dynamic LoRA loading.";
        }
        else if (string.IsNullOrEmpty(name) || (load && string.IsNullOrEmpty(path)))
        {
            failure = load ? "Both lora_name and lora_path are required." : "lora_name is required.";
        }
        else if (missing)
        {
            failure = $"Failed to load LoRA adapter {name}: Can't find adapter_config.json at '{path}'.";
        }
        else if (load && models.TryAddAdapter(name, path!, options.MaxLoadedLoras) is var added and not AdapterAdd.Added)
        {
            failure = added == AdapterAdd.Full
                ? $"Failed to load LoRA adapter {name}: Maximum number of loaded LoRA adapters ({options.MaxLoadedLoras}) reached. Unload an adapter first."
                : $"The LoRA adapter {name} is already loaded.";
        }
        else if (!load && !models.TryRemoveAdapter(name))
        {
            failure = $"LoRA adapter {name} is not loaded.";
        }

        context.Response.StatusCode = failure is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, SimulatorJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteBoolean("success", failure is null);
            json.WriteString("error_message", failure ?? "");
            json.WriteStartObject("loaded_adapters");
            foreach (var (adapter, adapterPath) in models.Adapters)
            {
                json.WriteString(adapter, adapterPath);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static string? StringField(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Task PlainTextAsync(HttpContext context, string text)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }
}
