using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Simulator.Api;

/// <summary>Health, metrics and the engine-specific information routes.</summary>
public static class ServerEndpoints
{
    public const string SimulatedVllmVersion = "0.11.0";
    public const string SimulatedSglangVersion = "0.5.3";

    public static void MapServerEndpoints(this IEndpointRouteBuilder app, SimulatorOptions options)
    {
        app.MapGet("/health", (StartupGate gate) => gate.IsReady ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        app.MapMethods("/ping", ["GET", "POST"], (StartupGate gate) => gate.IsReady || options.Engine == BackendEngine.Sglang
            ? Results.Ok()
            : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));

        if (options.EnableMetrics)
        {
            app.MapGet("/metrics", (EngineMetrics metrics) => Results.Text(metrics.Render(), PrometheusText.ContentType));
        }

        if (options.Engine == BackendEngine.Vllm)
        {
            app.MapGet("/version", () => Results.Json(new Dictionary<string, string> { ["version"] = SimulatedVllmVersion }, SimulatorJsonContext.Default.DictionaryStringString));
            app.MapGet("/load", (Scheduler s) => Results.Json(new Dictionary<string, int> { ["server_load"] = s.Running + s.Waiting }, SimulatorJsonContext.Default.DictionaryStringInt32));
        }
        else
        {
            app.MapGet("/health_generate", (StartupGate gate) => gate.IsReady ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
            app.MapGet("/get_model_info", (HttpContext c) => ModelInfoAsync(c, options));
            app.MapGet("/model_info", (HttpContext c) => ModelInfoAsync(c, options));
            app.MapGet("/get_server_info", (HttpContext c, Scheduler s) => ServerInfoAsync(c, options, s));
            app.MapGet("/server_info", (HttpContext c, Scheduler s) => ServerInfoAsync(c, options, s));
            app.MapGet("/get_load", (HttpContext c, Scheduler s) => LoadAsync(c, s));
        }

        app.MapPost(options.Profile.TokenizePath, (HttpContext c, ModelRegistry m, EngineErrorWriter e) => TokenizeAsync(c, options, m, e));
        if (options.Engine == BackendEngine.Sglang)
        {
            app.MapPost("/tokenize", (HttpContext c, ModelRegistry m, EngineErrorWriter e) => TokenizeAsync(c, options, m, e));
        }
    }

    private static Task ModelInfoAsync(HttpContext context, SimulatorOptions options) => WriteJsonAsync(context, json =>
    {
        json.WriteStartObject();
        json.WriteString("model_path", options.Model);
        json.WriteString("tokenizer_path", options.Model);
        json.WriteBoolean("is_generation", true);
        json.WriteNull("preferred_sampling_params");
        json.WriteString("weight_version", "default");
        json.WriteBoolean("has_image_understanding", false);
        json.WriteBoolean("has_audio_understanding", false);
        json.WriteEndObject();
    });

    private static Task ServerInfoAsync(HttpContext context, SimulatorOptions options, Scheduler scheduler) => WriteJsonAsync(context, json =>
    {
        json.WriteStartObject();
        json.WriteString("model_path", options.Model);
        json.WriteString("served_model_name", options.PrimaryServedName);
        json.WriteString("host", options.Host);
        json.WriteNumber("port", options.Port ?? options.Profile.DefaultPort);
        json.WriteNumber("context_length", options.MaxModelLen);
        json.WriteNumber("max_running_requests", options.MaxNumSeqs);
        json.WriteBoolean("enable_lora", options.EnableLora);
        json.WriteBoolean("enable_metrics", options.EnableMetrics);
        json.WriteStartArray("internal_states");
        json.WriteStartObject();
        json.WriteNumber("num_running_reqs", scheduler.Running);
        json.WriteNumber("num_queue_reqs", scheduler.Waiting);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteString("version", SimulatedSglangVersion);
        json.WriteEndObject();
    });

    private static Task LoadAsync(HttpContext context, Scheduler scheduler) => WriteJsonAsync(context, json =>
    {
        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteNumber("dp_rank", 0);
        json.WriteNumber("num_reqs", scheduler.Running);
        json.WriteNumber("num_waiting_reqs", scheduler.Waiting);
        json.WriteNumber("num_tokens", scheduler.TokensInFlight);
        json.WriteEndObject();
        json.WriteEndArray();
    });

    private static async Task TokenizeAsync(HttpContext context, SimulatorOptions options, ModelRegistry models, EngineErrorWriter errors)
    {
        List<string> tokens;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the body must be a JSON object");
            }
            if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String
                && !models.Resolve(model.GetString(), null).Found)
            {
                await errors.WriteAsync(context, new FailureInjector(options).ModelNotFound(model.GetString()!));
                return;
            }
            if (root.TryGetProperty("prompt", out var prompt) && prompt.ValueKind == JsonValueKind.String)
            {
                tokens = SimpleTokenizer.Split(prompt.GetString()!);
            }
            else if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                tokens = SimpleTokenizer.ChatTokens(messages.Deserialize(OpenAIJsonContext.Default.ListChatMessage) ?? []);
            }
            else
            {
                await errors.WriteAsync(context, RequestPlan.Validation("prompt: Field required"));
                return;
            }
        }
        catch (JsonException ex)
        {
            await errors.WriteAsync(context, RequestPlan.Validation($"body: {ex.Message}"));
            return;
        }

        await WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("count", tokens.Count);
            json.WriteNumber("max_model_len", options.MaxModelLen);
            json.WriteStartArray("tokens");
            foreach (var token in tokens)
            {
                json.WriteNumberValue(SimpleTokenizer.IdOf(token));
            }
            json.WriteEndArray();
            json.WriteNull("token_strs");
            json.WriteEndObject();
        });
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, SimulatorJson.WriterOptions))
        {
            write(json);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
