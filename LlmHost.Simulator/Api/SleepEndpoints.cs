using System.Text.Json;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary>
/// vLLM's sleep mode: <c>POST /sleep?level=1|2</c>, <c>POST /wake_up</c>, <c>GET /is_sleeping</c>, and the level-2
/// follow-ups <c>POST /collective_rpc</c> (<c>reload_weights</c>) and <c>POST /reset_prefix_cache</c>. Like vLLM, the
/// routes exist only with <c>VLLM_SERVER_DEV_MODE=1</c>; sleeping needs <c>--enable-sleep-mode</c>. SGLang's
/// <c>/release_memory_occupation</c> and <c>/resume_memory_occupation</c> (GET or POST, an optional JSON body of
/// <c>tags</c>): releasing needs <c>--enable-memory-saver</c>.
/// </summary>
public static class SleepEndpoints
{
    public static void MapSleepEndpoints(this IEndpointRouteBuilder app, SimulatorOptions options)
    {
        if (options.Engine == LlmHost.Backends.Engines.BackendEngine.Sglang)
        {
            app.MapMethods("/release_memory_occupation", ["GET", "POST"], (SleepState s) => Release(options, s));
            app.MapMethods("/resume_memory_occupation", ["GET", "POST"], (HttpContext c, SleepState s) => ResumeAsync(c, options, s));
            return;
        }
        if (!options.ServerDevMode)
        {
            return;
        }
        app.MapPost("/sleep", (HttpContext c, SleepState s, EngineErrorWriter e) => SleepAsync(c, options, s, e));
        app.MapPost("/wake_up", (HttpContext c, SleepState s) => WakeAsync(c, options, s));
        app.MapGet("/is_sleeping", (SleepState s) => Results.Text($"{{\"is_sleeping\":{(s.IsSleeping ? "true" : "false")}}}", "application/json"));
        app.MapPost("/collective_rpc", ReloadWeightsAsync);
        app.MapPost("/reset_prefix_cache", () => Results.Ok());
    }

    private static async Task SleepAsync(HttpContext context, SimulatorOptions options, SleepState sleep, EngineErrorWriter errors)
    {
        if (!options.EnableSleepMode)
        {
            await errors.WriteAsync(context, new EngineError(500, "InternalServerError", "Sleep mode is not enabled. Start the server with --enable-sleep-mode."));
            return;
        }
        var level = context.Request.Query["level"].ToString() is { Length: > 0 } text ? text : "1";
        if (level is not ("1" or "2"))
        {
            await errors.WriteAsync(context, new EngineError(400, "BadRequestError", $"Invalid sleep level: {level[..Math.Min(level.Length, 16)]}"));
            return;
        }
        sleep.Sleep(level == "2" ? 2 : 1);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    // tags=weights wakes the weights' memory only (level 2: reload_weights follows, then tags=kv_cache); no tags or
    // tags=kv_cache finish the wake.
    private static async Task WakeAsync(HttpContext context, SimulatorOptions options, SleepState sleep)
    {
        if (sleep.IsSleeping)
        {
            var tags = context.Request.Query["tags"].ToString();
            if (tags != "kv_cache")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(sleep.Level == 2 ? options.WakeMs * 3 : options.WakeMs), context.RequestAborted);
            }
            if (tags != "weights")
            {
                sleep.Woke();
            }
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    // SGLang answers {success, message}; without the memory saver there is nothing it could release.
    private static IResult Release(SimulatorOptions options, SleepState sleep)
    {
        if (!options.EnableMemorySaver)
        {
            return Results.Json(new SglangResult(false, "Memory saver is not enabled: start the server with --enable-memory-saver."), statusCode: 400);
        }
        if (!sleep.IsSleeping)
        {
            sleep.Sleep(options.EnableWeightsCpuBackup ? 1 : 2);
        }
        return Results.Json(new SglangResult(true, "Succeeded to release memory occupation."));
    }

    private static async Task<IResult> ResumeAsync(HttpContext context, SimulatorOptions options, SleepState sleep)
    {
        if (sleep.IsSleeping)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(options.WakeMs), context.RequestAborted);
            sleep.Woke();
        }
        return Results.Json(new SglangResult(true, "Succeeded to resume memory occupation."));
    }

    private sealed record SglangResult(
        [property: System.Text.Json.Serialization.JsonPropertyName("success")] bool Success,
        [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);

    private static async Task<IResult> ReloadWeightsAsync(HttpContext context, SleepState sleep)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("method", out var method)
                && method.ValueKind == JsonValueKind.String && method.GetString() == "reload_weights")
            {
                sleep.WeightsReloaded();
                return Results.Json(new Dictionary<string, object?> { ["results"] = new object?[] { null } });
            }
        }
        catch (JsonException)
        {
        }
        return Results.BadRequest();
    }
}
