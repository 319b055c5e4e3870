using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

public sealed class StreamOptions
{
    /// <summary>Null when the object is present without the field: vLLM then treats it as true.</summary>
    [JsonPropertyName("include_usage")]
    public bool? IncludeUsage { get; set; }

    [JsonPropertyName("continuous_usage_stats")]
    public bool? ContinuousUsageStats { get; set; }
}
