using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using LlmHost.Gateway.Authentication;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// One request as one JSON line, with the fields documented in docs/LOG_ROTATION.md. Written with
/// <see cref="Utf8JsonWriter"/> into a buffer reused per thread; never a body, a header value or a secret.
/// </summary>
public static class AccessLogLine
{
    // Formatting is synchronous: one buffer and one writer per thread serve every line.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_json;

    /// <summary>The request's line as UTF-8 JSON, in a buffer of this thread's that the next line overwrites.</summary>
    public static ReadOnlySpan<byte> Format(HttpContext context, RequestLogFeature? request, long startTimestamp, string? clientIp)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var json = t_json ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("ts"u8, DateTime.UtcNow);
        json.WriteString("request_id"u8, Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
        json.WriteString("method"u8, ClientText.Bound(context.Request.Method));
        json.WriteString("path"u8, ClientText.Bound(context.Request.Path.Value ?? ""));
        // The request's record, once its body was read; its outcome, once it reached a backend.
        var record = request?.Measurement ?? context.Features.Get<CompletionMeasurement>();
        var measurement = request?.Measurement;
        json.WriteNumber("status"u8, record is { ClientGone: true } ? CompletionMeasurement.ClientClosedRequest : context.Response.StatusCode);
        WriteStringOrNull(json, "key_id"u8, context.GetApiKey()?.Id);
        WriteStringOrNull(json, "model"u8, ClientText.BoundOrNull(record?.Model));
        WriteStringOrNull(json, "backend"u8, measurement?.Backend);
        if (measurement is not null)
        {
            json.WriteBoolean("stream"u8, measurement.Stream);
            json.WriteNumber("attempts"u8, measurement.Attempts);
        }
        if (record?.Queue is { } queued)
        {
            json.WriteString("priority"u8, record.Priority.Label());
            json.WriteString("queue"u8, queued.Label());
            json.WriteNumber("queue_ms"u8, Math.Round(record.QueueTime.TotalMilliseconds, 2));
        }
        if (measurement is { Source: not UsageSource.None })
        {
            json.WriteNumber("prompt_tokens"u8, measurement.PromptTokens);
            json.WriteNumber("completion_tokens"u8, measurement.CompletionTokens);
        }
        else
        {
            json.WriteNull("prompt_tokens"u8);
            json.WriteNull("completion_tokens"u8);
        }
        if (measurement?.TimeToFirstToken is { } ttft)
        {
            json.WriteNumber("ttft_ms"u8, Math.Round(ttft.TotalMilliseconds, 2));
        }
        else
        {
            json.WriteNull("ttft_ms"u8);
        }
        json.WriteNumber("duration_ms"u8, Math.Round(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, 2));
        json.WriteNumber("request_bytes"u8, record?.RequestBytes ?? context.Request.ContentLength ?? 0);
        json.WriteNumber("response_bytes"u8, measurement?.ResponseBytes ?? context.Response.ContentLength ?? 0);
        WriteStringOrNull(json, "client_ip"u8, clientIp);
        if (request?.Rejection is { } rejection)
        {
            json.WriteString("rejected"u8, rejection);
        }
        if (measurement is not null && context.Features.Get<BodyCaptureFeature>() is { } bodies)
        {
            json.WriteString("request_body"u8, bodies.Request.Text);
            json.WriteBoolean("request_body_truncated"u8, bodies.Request.Truncated);
            json.WriteString("response_body"u8, bodies.Response.Text);
            json.WriteBoolean("response_body_truncated"u8, bodies.Response.Truncated);
        }
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenSpan;
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
