using System.Buffers;
using System.Text.Json;
using LlmHost.Workload.Generation;

namespace LlmHost.Workload.Running;

/// <summary>The JSON body of a chat completion request for a planned request.</summary>
public static class ChatRequestBody
{
    public static byte[] Write(PlannedRequest plan, bool stream, bool ignoreEos)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", plan.Model);
            json.WriteStartArray("messages");
            foreach (var (role, content) in plan.Messages)
            {
                json.WriteStartObject();
                json.WriteString("role", role);
                json.WriteString("content", content);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("max_tokens", plan.MaxTokens);
            if (ignoreEos)
            {
                json.WriteBoolean("ignore_eos", true);
            }
            json.WriteBoolean("stream", stream);
            if (stream)
            {
                json.WriteStartObject("stream_options");
                json.WriteBoolean("include_usage", true);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
