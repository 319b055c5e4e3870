using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Usage))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(List<ChatMessage>))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext;
