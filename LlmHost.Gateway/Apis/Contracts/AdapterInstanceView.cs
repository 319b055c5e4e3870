using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>An instance holding an adapter, and the requests for it in flight there.</summary>
public sealed class AdapterInstanceView
{
    [JsonPropertyName("instance")] public string Instance { get; set; } = "";
    [JsonPropertyName("backend")] public string Backend { get; set; } = "";
    [JsonPropertyName("in_flight")] public int InFlight { get; set; }
}
