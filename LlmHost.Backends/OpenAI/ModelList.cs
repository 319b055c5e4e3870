using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

/// <summary><c>GET /v1/models</c>: the shape vLLM, SGLang and OpenAI share.</summary>
public sealed class ModelList
{
    [JsonPropertyName("object")]
    public string Object { get; set; } = "list";

    [JsonPropertyName("data")]
    public List<ModelCard> Data { get; set; } = [];
}

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
