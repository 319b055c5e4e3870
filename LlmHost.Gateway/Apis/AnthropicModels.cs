using System.Buffers;
using System.Globalization;
using System.Text.Json;
using LlmHost.Backends.OpenAI;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// The model list in Anthropic's shape (<c>{"data":[{"type":"model","id","display_name","created_at"}],"has_more",
/// "first_id","last_id"}</c>), for clients that say they speak Anthropic's API (the <c>anthropic-version</c> header, which
/// Anthropic's SDKs always send): the same models the key may use, told the way its SDK reads them.
/// </summary>
internal static class AnthropicModels
{
    public const string VersionHeader = "anthropic-version";

    public static bool Wanted(HttpContext context) => context.Request.Headers.ContainsKey(VersionHeader);

    public static Task WriteListAsync(HttpContext context, ModelList list)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + list.Data.Count * 128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var card in list.Data)
            {
                WriteCard(json, card);
            }
            json.WriteEndArray();
            json.WriteBoolean("has_more", false);
            WriteId(json, "first_id", list.Data.Count > 0 ? list.Data[0].Id : null);
            WriteId(json, "last_id", list.Data.Count > 0 ? list.Data[^1].Id : null);
            json.WriteEndObject();
        }
        return WriteAsync(context, buffer);
    }

    public static Task WriteCardAsync(HttpContext context, ModelCard card)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteCard(json, card);
        }
        return WriteAsync(context, buffer);
    }

    private static void WriteCard(Utf8JsonWriter json, ModelCard card)
    {
        json.WriteStartObject();
        json.WriteString("type", "model");
        json.WriteString("id", card.Id);
        json.WriteString("display_name", card.Id);
        json.WriteString("created_at", DateTimeOffset.FromUnixTimeSeconds(card.Created).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    private static void WriteId(Utf8JsonWriter json, string name, string? id)
    {
        if (id is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, id);
        }
    }

    private static Task WriteAsync(HttpContext context, ArrayBufferWriter<byte> buffer)
    {
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
