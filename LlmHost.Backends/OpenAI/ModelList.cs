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
