using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

public sealed class KeyLimitsView
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("active_leases")] public int ActiveLeases { get; set; }
    [JsonPropertyName("open_reservations")] public int OpenReservations { get; set; }
    [JsonPropertyName("reserved_tokens")] public long ReservedTokens { get; set; }
    [JsonPropertyName("requests_remaining")] public long? RequestsRemaining { get; set; }
    [JsonPropertyName("tokens_remaining")] public long? TokensRemaining { get; set; }
    [JsonPropertyName("concurrency_remaining")] public int? ConcurrencyRemaining { get; set; }
}
