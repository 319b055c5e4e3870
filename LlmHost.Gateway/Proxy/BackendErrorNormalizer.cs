using System.Text;
using System.Text.Json;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Turns an engine's error body into OpenAI's shape, keeping the status. Understands vLLM's nested
/// (<c>{"error":{…,"code":400}}</c>) and flat (<c>{"object":"error",…}</c>) shapes, SGLang's flat and wrapped shapes,
/// vLLM's bare <c>{"error":"Unauthorized"}</c>, FastAPI's <c>{"detail":…}</c> and plain text.
/// </summary>
public static class BackendErrorNormalizer
{
    public const int MaxBodyBytes = 64 * 1024;

    public static ErrorResponse Normalize(int status, ReadOnlySpan<byte> body)
    {
        string? message = null, type = null, param = null, code = null;
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var detail = root;
                if (root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        detail = error;
                    }
                    else if (error.ValueKind == JsonValueKind.String)
                    {
                        message = error.GetString();
                    }
                }
                message ??= Text(detail, "message");
                if (message is null && root.TryGetProperty("detail", out var fastApi))
                {
                    message = fastApi.ValueKind == JsonValueKind.String ? fastApi.GetString() : fastApi.GetRawText();
                }
                type = Text(detail, "type");
                param = Text(detail, "param");
                code = detail.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }
        }
        catch (JsonException)
        {
            var text = Encoding.UTF8.GetString(body).Trim();
            message = text.Length > 1000 ? text[..1000] : text;
        }

        message = string.IsNullOrWhiteSpace(message) ? $"The backend answered with status {status}." : message;
        return ErrorResponse.Create(message, OpenAIType(status, type), code ?? OpenAICode(status, message, param), param);
    }

    // Engine type names (BadRequestError, NotFound, InternalServerError, ...) become OpenAI's; OpenAI's own pass.
    private static string OpenAIType(int status, string? engineType) => engineType switch
    {
        "invalid_request_error" or "authentication_error" or "permission_error" or "server_error" or "requests" or "tokens" => engineType,
        _ => status switch
        {
            401 => "authentication_error",
            403 => "permission_error",
            429 => "requests",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        },
    };

    private static string? OpenAICode(int status, string message, string? param) => status switch
    {
        404 when param == "model" || message.Contains("model", StringComparison.OrdinalIgnoreCase) => "model_not_found",
        400 when message.Contains("context length", StringComparison.OrdinalIgnoreCase) => "context_length_exceeded",
        401 => "invalid_api_key",
        429 => "rate_limit_exceeded",
        _ => null,
    };

    /// <summary>
    /// FastAPI's answer for a path (or method) the server has no route for — <c>{"detail":"Not Found"}</c> or
    /// <c>{"detail":"Method Not Allowed"}</c> — as opposed to an engine's own 404 (an unknown model or response).
    /// </summary>
    public static bool IsMissingRoute(ReadOnlySpan<byte> body)
    {
        var trimmed = body.Trim(" \r\n\t"u8);
        return trimmed.SequenceEqual("""{"detail":"Not Found"}"""u8) || trimmed.SequenceEqual("""{"detail":"Method Not Allowed"}"""u8);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
