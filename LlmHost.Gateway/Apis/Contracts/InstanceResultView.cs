using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>What one engine instance answered: its status and its own words (bounded).</summary>
public sealed class InstanceResultView
{
    [JsonPropertyName("instance")] public string Instance { get; set; } = "";
    [JsonPropertyName("ok")] public bool Ok { get; set; }
    [JsonPropertyName("status")] public int Status { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";

    /// <summary>The engine was started without runtime LoRA (no load/unload routes).</summary>
    [JsonPropertyName("runtime_lora_disabled")] public bool? RuntimeLoraDisabled { get; set; }

    /// <summary>Every adapter slot of the engine is taken.</summary>
    [JsonPropertyName("slots_full")] public bool? SlotsFull { get; set; }
}
