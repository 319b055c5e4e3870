using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Adapters;

/// <summary>An adapter registered through the admin API, as the adapter file keeps it.</summary>
public sealed class AdapterRegistration
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("base_model")]
    public string? BaseModel { get; set; }

    /// <summary>The backends that may load it; absent or empty: every backend serving the base model.</summary>
    [JsonPropertyName("backends")]
    public List<string>? Backends { get; set; }

    [JsonPropertyName("registered_by")]
    public string? RegisteredBy { get; set; }

    [JsonPropertyName("registered_at")]
    public DateTimeOffset? RegisteredAt { get; set; }
}
