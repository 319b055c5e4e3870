using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LlmHost.Backends.Engines;

/// <summary>
/// Loads and unloads LoRA adapters on one engine through its own routes (vLLM <c>/v1/load_lora_adapter</c>, SGLang
/// <c>/load_lora_adapter</c>) and reads its answer, whatever its shape: vLLM's plain-text success and JSON errors,
/// SGLang's <c>success</c> envelope. One call, no retry: the caller decides (a load is not idempotent to retry blindly).
/// Shared by the gateway and the AppHost's dashboard commands.
/// </summary>
public static class EngineLoraClient
{
    /// <summary>Longest engine message kept (the rest of a traceback is of no use to an operator's console).</summary>
    public const int MaxMessageLength = 1000;

    public static Task<LoraCallResult> LoadAsync(HttpClient http, string address, string? apiKey, EngineProfile profile,
        string name, string path, CancellationToken cancellationToken) =>
        CallAsync(http, address + profile.LoadLoraPath, apiKey, new LoraRequest(name, path), cancellationToken);

    public static Task<LoraCallResult> UnloadAsync(HttpClient http, string address, string? apiKey, EngineProfile profile,
        string name, CancellationToken cancellationToken) =>
        CallAsync(http, address + profile.UnloadLoraPath, apiKey, new LoraRequest(name, null), cancellationToken);

    private static async Task<LoraCallResult> CallAsync(HttpClient http, string url, string? apiKey, LoraRequest body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(body, EngineJsonContext.Default.LoraRequest),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var text = await EngineAnswer.ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return Interpret((int)response.StatusCode, text);
    }

    /// <summary>What an engine's answer says, from its status and body.</summary>
    public static LoraCallResult Interpret(int status, string text)
    {
        string? message = null;
        bool? success = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("success", out var ok) && ok.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    success = ok.GetBoolean();
                }
                message = Text(root, "error_message") ?? Text(root, "message") ?? Text(root, "detail")
                    ?? (root.TryGetProperty("error", out var error) ? error.ValueKind == JsonValueKind.String ? error.GetString() : Text(error, "message") : null);
            }
        }
        catch (JsonException)
        {
            message = text.Trim();
        }
        var succeeded = status is >= 200 and < 300 && success != false;
        message = string.IsNullOrWhiteSpace(message) ? (succeeded ? "ok" : $"the engine answered {status}") : message;
        if (message.Length > MaxMessageLength)
        {
            message = message[..MaxMessageLength] + "…";
        }
        // vLLM without VLLM_ALLOW_RUNTIME_LORA_UPDATING has no such route: FastAPI's 404 "Not Found".
        var routeMissing = status == (int)HttpStatusCode.NotFound && message == "Not Found";
        return new LoraCallResult(succeeded, status, routeMissing ? "the engine does not load adapters at run time (vLLM needs VLLM_ALLOW_RUNTIME_LORA_UPDATING=True)" : message)
        {
            RuntimeLoraDisabled = routeMissing,
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
