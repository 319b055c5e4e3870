using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Keys;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ApiKeyFile))]
public sealed partial class ApiKeyJsonContext : JsonSerializerContext;
