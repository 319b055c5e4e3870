using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>Answer of <c>GET /admin/adapters</c>.</summary>
public sealed class AdapterList
{
    [JsonPropertyName("adapters")] public List<AdapterView> Adapters { get; set; } = [];
}
