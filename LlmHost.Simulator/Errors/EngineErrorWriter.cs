using System.Buffers;
using LlmHost.Simulator.Api;
using System.Text.Json;
using LlmHost.Backends.Engines;

namespace LlmHost.Simulator.Errors;

/// <summary>
/// Writes errors in the imitated engine's own shapes: vLLM ≥ 0.10.1 nests <c>{"error":{…,"code":int}}</c>, older
/// vLLM and SGLang answer flat <c>{"object":"error",…}</c>; mid-stream errors are an SSE event then <c>[DONE]</c>.
/// Some routes have a shape of their own whatever the engine (<see cref="ErrorShape"/>).
/// </summary>
public sealed class EngineErrorWriter(SimulatorOptions options)
{
    private bool Nested => options.Engine == BackendEngine.Vllm && !options.LegacyErrors;

    public Task WriteAsync(HttpContext context, EngineError error) => WriteAsync(context, error, ErrorShape.Engine);

    public Task WriteAsync(HttpContext context, EngineError error, ErrorShape shape)
    {
        if (shape == ErrorShape.Anthropic)
        {
            return AnthropicErrors.WriteAsync(context, error);
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, SimulatorJson.WriterOptions))
        {
            WriteBody(json, error, nested: shape == ErrorShape.OpenAI || Nested);
        }
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    /// <summary>The SSE error event engines send once a stream has started, followed by <c>[DONE]</c>.</summary>
    public static byte[] StreamErrorEvent(EngineError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer, SimulatorJson.WriterOptions))
        {
            WriteBody(json, error, nested: true);
        }
        buffer.Write("\n\ndata: [DONE]\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBody(Utf8JsonWriter json, EngineError error, bool nested)
    {
        json.WriteStartObject();
        if (nested)
        {
            json.WriteStartObject("error");
        }
        else
        {
            json.WriteString("object", "error");
        }
        json.WriteString("message", error.Message);
        json.WriteString("type", error.Type);
        if (error.Param is null)
        {
            json.WriteNull("param");
        }
        else
        {
            json.WriteString("param", error.Param);
        }
        json.WriteNumber("code", error.Status);
        if (nested)
        {
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>vLLM's API-key middleware answers 401 with a bare string, not an error object.</summary>
    public static Task WriteUnauthorizedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"error":"Unauthorized"}""");
    }

    /// <summary>FastAPI's answer for a route that is not registered (e.g. vLLM's LoRA routes without the env gate).</summary>
    public static Task WriteRouteNotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"detail":"Not Found"}""");
    }
}
