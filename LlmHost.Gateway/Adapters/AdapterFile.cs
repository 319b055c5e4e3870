using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Adapters;

/// <summary><c>adapters.json</c>: the adapters registered through the admin API.</summary>
public sealed class AdapterFile
{
    [JsonPropertyName("adapters")]
    public List<AdapterRegistration> Adapters { get; set; } = [];
}
