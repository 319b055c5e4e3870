using System.Text.Json;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Reads the optional fields of a JSON request body by type; a field of the wrong type reads as absent and keeps the
/// first such mistake as <see cref="Error"/>, worded as the engines' pydantic models word it. <paramref name="path"/>
/// names an object nested in the body (<c>input.0.</c>).
/// </summary>
internal sealed class BodyFields(JsonElement body, string path = "")
{
    public EngineError? Error { get; private set; }

    public string? String(string name) => Read(name, JsonValueKind.String, "a valid string") is { } value ? value.GetString() : null;

    public int? Int(string name) => Read(name, JsonValueKind.Number, "a valid integer") is { } value
        ? value.TryGetInt32(out var number) ? number : Invalid<int?>(name, "a valid integer")
        : null;

    public double? Number(string name) => Read(name, JsonValueKind.Number, "a valid number")?.GetDouble();

    public bool? Bool(string name) => Read(name, JsonValueKind.True, "a valid boolean") is { } value ? value.GetBoolean() : null;

    /// <summary>A field of any type but null, as sent (its value is echoed back, or read item by item).</summary>
    public JsonElement? Raw(string name) => body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public EngineError Missing(string name) => Error ??= RequestPlan.Validation($"{path}{name}: Field required");

    public EngineError Invalid(string name, string expected) => Error ??= RequestPlan.Validation($"{path}{name}: Input should be {expected}");

    private JsonElement? Read(string name, JsonValueKind kind, string expected)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }
        var matches = value.ValueKind == kind || (kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False);
        return matches ? value : Invalid<JsonElement?>(name, expected);
    }

    private T? Invalid<T>(string name, string expected)
    {
        Invalid(name, expected);
        return default;
    }
}
