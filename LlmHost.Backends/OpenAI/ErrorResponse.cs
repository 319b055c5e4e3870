using System.Text.Json.Serialization;

namespace LlmHost.Backends.OpenAI;

/// <summary>OpenAI's error envelope <c>{"error":{"message","type","param","code"}}</c>, with a string <c>code</c>.</summary>
public sealed class ErrorResponse
{
    [JsonPropertyName("error")]
    public ErrorDetail Error { get; set; } = new();

    public static ErrorResponse Create(string message, string type, string? code = null, string? param = null) =>
        new() { Error = new ErrorDetail { Message = message, Type = type, Code = code, Param = param } };
}
