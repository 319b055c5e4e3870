using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

public sealed class ModelCard
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("object")]
    public string Object { get; set; } = "model";

    [JsonPropertyName("created")]
    public long Created { get; set; }

    [JsonPropertyName("owned_by")]
    public string OwnedBy { get; set; } = "";

    [JsonPropertyName("root")]
    public string? Root { get; set; }

    /// <summary>The base model of a LoRA adapter card; null for a base model.</summary>
    [JsonPropertyName("parent")]
    public string? Parent { get; set; }

    [JsonPropertyName("max_model_len")]
    public int? MaxModelLen { get; set; }

    /// <summary>vLLM only; SGLang and the gateway leave it out.</summary>
    [JsonPropertyName("permission")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<ModelPermission>? Permission { get; set; }
}
