using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Keys;

/// <summary>Per-key overrides of <c>limits.defaults</c>; absent fields use the defaults.</summary>
public sealed class KeyLimitsEntry
{
    [JsonPropertyName("qps")] public double? Qps { get; set; }
    [JsonPropertyName("burst")] public int? Burst { get; set; }
    [JsonPropertyName("concurrency")] public int? Concurrency { get; set; }
    [JsonPropertyName("tpm")] public long? Tpm { get; set; }
}
