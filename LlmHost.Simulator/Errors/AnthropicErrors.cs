using System.Buffers;
using System.Text.Json;
using LlmHost.Simulator.Api;

namespace LlmHost.Simulator.Errors;

/// <summary>Errors in Anthropic's shape, <c>{"type":"error","error":{"type":T,"message":M}}</c>, with T named after the status.</summary>
public static class AnthropicErrors
{
    /// <summary>The message Anthropic answers when the key is missing or wrong.</summary>
    public const string InvalidKeyMessage = "invalid x-api-key";

    /// <summary>Anthropic's error type for an HTTP status (its SDKs pick their exception by status, clients read the type).</summary>
    public static string TypeForStatus(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    public static void WriteBody(Utf8JsonWriter json, EngineError error)
    {
        json.WriteStartObject();
        json.WriteString("type", "error");
        json.WriteStartObject("error");
        json.WriteString("type", TypeForStatus(error.Status));
        json.WriteString("message", error.Message);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static Task WriteAsync(HttpContext context, EngineError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, SimulatorJson.WriterOptions))
        {
            WriteBody(json, error);
        }
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }
}
