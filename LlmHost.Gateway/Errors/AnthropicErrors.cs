using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmHost.Gateway.Errors;

/// <summary>
/// Anthropic's error envelope (<c>{"type":"error","error":{"type","message"}}</c>), which the Anthropic SDKs turn into
/// their exception types by status: every refusal on <c>/v1/messages</c> is written in it instead of OpenAI's.
/// </summary>
public static class AnthropicErrors
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Anthropic's error type for a status.</summary>
    public static string TypeOf(int status) => status switch
    {
        400 or 405 or 408 or 409 or 415 or 422 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        501 => "not_found_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        _ => status >= 500 ? "api_error" : "invalid_request_error",
    };

    /// <summary>The envelope as UTF-8 JSON.</summary>
    public static byte[] Body(int status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteStartObject("error");
            json.WriteString("type", TypeOf(status));
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The SSE event Anthropic sends when a started stream fails.</summary>
    public static byte[] StreamErrorEvent(string message) =>
        [.. "event: error\ndata: "u8, .. Body(500, message), .. "\n\n"u8];
}
