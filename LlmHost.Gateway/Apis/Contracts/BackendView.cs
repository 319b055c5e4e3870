using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

public sealed class BackendView
{
    [JsonPropertyName("instance")] public string Instance { get; set; } = "";
    [JsonPropertyName("backend")] public string Backend { get; set; } = "";
    [JsonPropertyName("engine")] public string Engine { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("reachable")] public bool Reachable { get; set; }
    [JsonPropertyName("ejected")] public bool Ejected { get; set; }
    [JsonPropertyName("outstanding")] public int Outstanding { get; set; }

    /// <summary><c>awake</c>, <c>sleeping</c>, or <c>changing</c> (being put to sleep or woken).</summary>
    [JsonPropertyName("sleep_state")] public string SleepState { get; set; } = "awake";
    [JsonPropertyName("models")] public List<string> Models { get; set; } = [];
}
