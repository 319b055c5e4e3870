using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>Body of <c>POST /admin/adapters</c>: one of <c>base_model</c> and <c>backend</c>; the rest optional.</summary>
public sealed class AdapterLoadBody
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("base_model")] public string? BaseModel { get; set; }
    [JsonPropertyName("backend")] public string? Backend { get; set; }

    /// <summary>Load on these instances only (names as <c>GET /admin/backends</c> gives them).</summary>
    [JsonPropertyName("instances")] public List<string>? Instances { get; set; }

    /// <summary>Keep it in the catalogue (default true): routable and loaded on demand from then on.</summary>
    [JsonPropertyName("register")] public bool? Register { get; set; }
}
