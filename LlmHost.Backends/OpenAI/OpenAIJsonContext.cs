using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelCard))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Usage))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(List<ChatMessage>))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="Default"/>, but leaves characters such as ` and ' unescaped, as Python servers do.</summary>
    public static OpenAIJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
