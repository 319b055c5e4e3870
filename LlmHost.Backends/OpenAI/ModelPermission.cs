using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

public sealed class ModelPermission
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("object")] public string Object { get; set; } = "model_permission";
    [JsonPropertyName("created")] public long Created { get; set; }
    [JsonPropertyName("allow_create_engine")] public bool AllowCreateEngine { get; set; }
    [JsonPropertyName("allow_sampling")] public bool AllowSampling { get; set; } = true;
    [JsonPropertyName("allow_logprobs")] public bool AllowLogprobs { get; set; } = true;
    [JsonPropertyName("allow_search_indices")] public bool AllowSearchIndices { get; set; }
    [JsonPropertyName("allow_view")] public bool AllowView { get; set; } = true;
    [JsonPropertyName("allow_fine_tuning")] public bool AllowFineTuning { get; set; }
    [JsonPropertyName("organization")] public string Organization { get; set; } = "*";
    [JsonPropertyName("group")] public string? Group { get; set; }
    [JsonPropertyName("is_blocking")] public bool IsBlocking { get; set; }
}
