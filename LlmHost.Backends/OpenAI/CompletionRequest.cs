using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

/// <summary>
/// The fields of <c>/v1/chat/completions</c> and <c>/v1/completions</c> requests that LlmHost reads; everything
/// else is passed through untouched (the gateway) or ignored (the simulator), as vLLM does.
/// </summary>
public sealed class CompletionRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    /// <summary>Chat only.</summary>
    [JsonPropertyName("messages")]
    public List<ChatMessage>? Messages { get; set; }

    /// <summary>Completions only: a string, a list of strings, a list of token ids or a list of lists.</summary>
    [JsonPropertyName("prompt")]
    public JsonElement? Prompt { get; set; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    /// <summary>vLLM's scheduling priority (lower runs first with <c>--scheduling-policy priority</c>); operator-only at the gateway.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    [JsonPropertyName("n")]
    public int? N { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("ignore_eos")]
    public bool? IgnoreEos { get; set; }

    [JsonPropertyName("echo")]
    public bool? Echo { get; set; }

    /// <summary>SGLang's older way to pick an adapter.</summary>
    [JsonPropertyName("lora_path")]
    public string? LoraPath { get; set; }
}
