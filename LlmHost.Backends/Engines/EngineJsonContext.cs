using System.Text.Json.Serialization;

namespace LlmHost.Backends.Engines;

/// <summary>Source-generated JSON of the engines' own (non-OpenAI) routes.</summary>
[JsonSerializable(typeof(LoraRequest))]
public sealed partial class EngineJsonContext : JsonSerializerContext;
