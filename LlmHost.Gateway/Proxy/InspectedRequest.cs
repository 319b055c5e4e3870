using System.Buffers;

namespace LlmHost.Gateway.Proxy;

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
    public bool HasStreamOptions { get; set; }
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
