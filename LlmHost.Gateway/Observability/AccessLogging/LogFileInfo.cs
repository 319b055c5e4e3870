using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Observability.AccessLogging;

public sealed record LogFileInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("modified")] DateTime Modified,
    [property: JsonPropertyName("compressed")] bool Compressed);
