using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Adapters;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(AdapterFile))]
public sealed partial class AdapterJsonContext : JsonSerializerContext;
