using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Keys;

/// <summary>Per-key overrides of <c>limits.defaults</c>; absent fields use the defaults.</summary>
public sealed class KeyLimitsEntry
{
    [JsonPropertyName("qps")] public double? Qps { get; set; }
    [JsonPropertyName("burst")] public int? Burst { get; set; }
    [JsonPropertyName("concurrency")] public int? Concurrency { get; set; }
    [JsonPropertyName("tpm")] public long? Tpm { get; set; }

    /// <summary>The key's share of a model's queue when engines are saturated: served this many requests a turn (1–100, default 1).</summary>
    [JsonPropertyName("weight")] public int? Weight { get; set; }

    /// <summary>The highest priority class the key's requests may ask for: <c>interactive</c>, <c>default</c> (the default) or <c>batch</c>.</summary>
    [JsonPropertyName("max_priority")] public string? MaxPriority { get; set; }
}
