using System.Text.Json.Serialization;

namespace LlmHost.Backends.Engines;

/// <summary>The body of an engine's adapter load (name and path) or unload (name) route.</summary>
public sealed record LoraRequest(
    [property: JsonPropertyName("lora_name")] string Name,
    [property: JsonPropertyName("lora_path"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Path);
