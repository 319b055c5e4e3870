using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

/// <summary>Answer of a sleep or wake: the engine's answer and the instance's state after it.</summary>
public sealed class EngineCallView
{
    [JsonPropertyName("instance")] public string Instance { get; set; } = "";
    [JsonPropertyName("ok")] public bool Ok { get; set; }
    [JsonPropertyName("status")] public int Status { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("sleep_state")] public string SleepState { get; set; } = "";
}
