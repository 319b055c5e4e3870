using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>One adapter: where it is declared (config.yaml, the admin API, or nowhere: loaded on an engine directly) and where it is loaded.</summary>
public sealed class AdapterView
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("base_model")] public string? BaseModel { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }

    /// <summary><c>config</c>, <c>admin</c> or <c>engine</c> (not in the catalogue: not loaded on demand).</summary>
    [JsonPropertyName("declared_in")] public string DeclaredIn { get; set; } = "";

    /// <summary>The backends that may load it; empty: every backend serving its base model.</summary>
    [JsonPropertyName("backends")] public List<string> Backends { get; set; } = [];

    [JsonPropertyName("loaded_on")] public List<AdapterInstanceView> LoadedOn { get; set; } = [];
}
