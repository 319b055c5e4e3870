using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

public sealed class RouteView
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    [JsonPropertyName("parent")] public string? Parent { get; set; }
    [JsonPropertyName("instances")] public List<string> Instances { get; set; } = [];
}
