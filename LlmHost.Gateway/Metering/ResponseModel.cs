using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>The <c>model</c> an engine's answer names, read without copying it when it is the one asked for.</summary>
public static class ResponseModel
{
    /// <summary>The reader is on the string: the request's own string when they match, else a copy cut to 256 characters; null beyond 1 KiB.</summary>
    public static string? Of(ref Utf8JsonReader reader, string requested) =>
        reader.ValueTextEquals(requested) ? requested
        : reader.ValueSpan.Length <= 1024 ? Utilities.ClientText.Bound(reader.GetString() ?? "")
        : null;
}
