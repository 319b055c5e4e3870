using System.Text.Json;

namespace LlmHost.Gateway.Observability.GenAiContent;

/// <summary>Reads properties of a parsed body that may not have the shape the API documents.</summary>
internal static class Elements
{
    public static string? String(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool Array(JsonElement element, ReadOnlySpan<byte> name, out JsonElement array)
    {
        array = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array;
    }

    public static bool Object(JsonElement element, ReadOnlySpan<byte> name, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object;
    }

    /// <summary>The property, or an undefined element when the element is not an object or has no such property.</summary>
    public static JsonElement Property(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;
}
