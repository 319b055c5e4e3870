using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LlmHost.Backends.Engines;

/// <summary>
/// Puts an engine to sleep and wakes it through its own routes (vLLM: <c>POST /sleep?level=</c>, <c>POST /wake_up</c>,
/// after a level-2 wake <c>POST /collective_rpc</c> <c>reload_weights</c> and <c>POST /reset_prefix_cache</c>;
/// <c>GET /is_sleeping</c>. SGLang: <c>POST /release_memory_occupation</c>, <c>POST /resume_memory_occupation</c>).
/// One call each, no retry. Shared by the gateway and the AppHost's dashboard commands.
/// </summary>
public static class EngineSleepClient
{
    public const int MaxMessageLength = 1000;

    public static Task<EngineCallResult> SleepAsync(HttpClient http, string address, string? apiKey, EngineSleep sleep, int level, CancellationToken cancellationToken) =>
        PostAsync(http, sleep.LevelInQuery ? $"{address}{sleep.SleepPath}?level={level}" : address + sleep.SleepPath, apiKey, sleep.Body, cancellationToken);

    /// <summary>
    /// Wakes the engine. After a level-2 sleep, in vLLM's documented order: the weights' memory back, the weights
    /// reloaded, then the KV cache, then the prefix cache reset.
    /// </summary>
    public static async Task<EngineCallResult> WakeAsync(HttpClient http, string address, string? apiKey, EngineSleep sleep, int level, CancellationToken cancellationToken)
    {
        if (level < 2 || sleep.ReloadWeightsPath is null || sleep.ResetPrefixCachePath is null)
        {
            return await PostAsync(http, address + sleep.WakePath, apiKey, sleep.Body, cancellationToken).ConfigureAwait(false);
        }
        var weights = await PostAsync(http, $"{address}{sleep.WakePath}?tags=weights", apiKey, null, cancellationToken).ConfigureAwait(false);
        if (!weights.Succeeded)
        {
            return weights;
        }
        var reloaded = await PostAsync(http, address + sleep.ReloadWeightsPath, apiKey, """{"method":"reload_weights"}""", cancellationToken).ConfigureAwait(false);
        if (!reloaded.Succeeded)
        {
            return reloaded with { Message = $"reloading the weights failed: {reloaded.Message}" };
        }
        var cache = await PostAsync(http, $"{address}{sleep.WakePath}?tags=kv_cache", apiKey, null, cancellationToken).ConfigureAwait(false);
        return cache.Succeeded ? await PostAsync(http, address + sleep.ResetPrefixCachePath, apiKey, null, cancellationToken).ConfigureAwait(false) : cache;
    }

    /// <summary>Whether the engine sleeps now; null when it does not say (no such route, not JSON).</summary>
    public static async Task<bool?> IsSleepingAsync(HttpClient http, string address, string? apiKey, EngineSleep sleep, CancellationToken cancellationToken)
    {
        if (sleep.IsSleepingPath is null)
        {
            return null;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, address + sleep.IsSleepingPath);
        Authorize(request, apiKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        var text = await EngineAnswer.ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("is_sleeping", out var value)
                && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<EngineCallResult> PostAsync(HttpClient http, string url, string? apiKey, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        Authorize(request, apiKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var text = await EngineAnswer.ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var message = text.Length == 0 ? (response.IsSuccessStatusCode ? "ok" : response.ReasonPhrase ?? "") : text.Trim();
        return new EngineCallResult(response.IsSuccessStatusCode, status, message.Length > MaxMessageLength ? message[..MaxMessageLength] + "…" : message);
    }

    private static void Authorize(HttpRequestMessage request, string? apiKey)
    {
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }
}
