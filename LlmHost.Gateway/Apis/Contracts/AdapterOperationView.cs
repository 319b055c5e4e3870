using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>
/// Answer of an adapter load or unload: each instance's engine answer, and whether the adapter is in the catalogue
/// after the call (registered, or declared in config.yaml): routable and loaded on demand.
/// </summary>
public sealed class AdapterOperationView
{
    [JsonPropertyName("adapter")] public string Adapter { get; set; } = "";
    [JsonPropertyName("registered")] public bool Registered { get; set; }
    [JsonPropertyName("succeeded")] public int Succeeded { get; set; }
    [JsonPropertyName("failed")] public int Failed { get; set; }
    [JsonPropertyName("results")] public List<InstanceResultView> Results { get; set; } = [];
}
