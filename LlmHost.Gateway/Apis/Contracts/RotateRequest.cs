using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

public sealed class RotateRequest
{
    /// <summary>How long the old secret stays valid; default <c>gateway.key_rotation_overlap</c>.</summary>
    [JsonPropertyName("overlap_seconds")] public double? OverlapSeconds { get; set; }
}
