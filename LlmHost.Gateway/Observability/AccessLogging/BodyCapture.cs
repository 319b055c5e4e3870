using System.Text;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>The first bytes of a body, for the access log of a key with <c>log_bodies</c> (a debugging switch).</summary>
public sealed class BodyCapture
{
    public const int Limit = 16 * 1024;
    private readonly byte[] _bytes = new byte[Limit];
    private int _length;

    /// <summary>True when the body was longer than <see cref="Limit"/> and only its beginning was kept.</summary>
    public bool Truncated { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        var room = Limit - _length;
        if (data.Length > room)
        {
            Truncated = true;
            data = data[..room];
        }
        data.CopyTo(_bytes.AsSpan(_length));
        _length += data.Length;
    }

    public string Text => Encoding.UTF8.GetString(_bytes, 0, _length);
}
