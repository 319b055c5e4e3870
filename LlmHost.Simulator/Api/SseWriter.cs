using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Frames server-sent events on a response body: <c>data: {json}</c>, or a named <c>event: name</c> line before it
/// (the Responses and Messages APIs), each ended by a blank line.
/// </summary>
internal sealed class SseWriter(PipeWriter body) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(body, SimulatorJson.WriterOptions);

    /// <summary>Starts an event and returns the writer for its one JSON value; <see cref="End"/> closes the event.</summary>
    public Utf8JsonWriter Begin(string? name = null)
    {
        if (name is not null)
        {
            body.Write("event: "u8);
            var span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(name.Length));
            body.Advance(Encoding.UTF8.GetBytes(name, span));
            body.Write("\n"u8);
        }
        body.Write("data: "u8);
        _json.Reset(body);
        return _json;
    }

    public void End()
    {
        _json.Flush();
        body.Write("\n\n"u8);
    }

    /// <summary>Bytes already framed, such as <c>data: [DONE]</c>.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => body.Write(bytes);

    public void Dispose() => _json.Dispose();
}
