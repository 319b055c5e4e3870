using System.Buffers;

namespace LlmHost.Gateway.Proxy;

/// <summary>A byte range of the request body.</summary>
public readonly record struct BodySpan(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>
/// A completion request body read once into a pooled buffer, with the fields the gateway needs. Dispose returns
/// the buffer to the pool.
/// </summary>
public sealed class InspectedRequest : IDisposable
{
    private byte[]? _buffer;

    public InspectedRequest(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Body => _buffer is { } b ? b.AsMemory(0, Length) : throw new ObjectDisposedException(nameof(InspectedRequest));

    public string Model { get; set; } = "";
    public bool Stream { get; set; }
    public bool HasStreamOptions => StreamOptionsSpan.Length > 0;

    /// <summary><c>stream_options.include_usage</c> as sent: true, false, or null when absent.</summary>
    public bool? IncludeUsage { get; set; }

    /// <summary>Where the <c>model</c> string token (with its quotes) lies in <see cref="Body"/>.</summary>
    public BodySpan ModelSpan { get; set; }

    /// <summary>Where the <c>stream_options</c> object lies in <see cref="Body"/>; empty when absent.</summary>
    public BodySpan StreamOptionsSpan { get; set; }

    /// <summary>Offset of the body's closing <c>}</c>.</summary>
    public int ClosingBrace { get; set; }

    /// <summary>True when the client asked for the usage chunk of a stream (OpenAI: only <c>include_usage: true</c>).</summary>
    public bool ClientWantsUsageChunk => IncludeUsage == true;
    public int? MaxTokens { get; set; }
    public int? MaxCompletionTokens { get; set; }
    public int? N { get; set; }

    /// <summary>A fresh stream over the body, for each forwarding attempt.</summary>
    public Stream OpenBody() => new MemoryStream(_buffer!, 0, Length, writable: false);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
