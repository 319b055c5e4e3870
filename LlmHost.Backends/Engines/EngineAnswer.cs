using System.Text;

namespace LlmHost.Backends.Engines;

/// <summary>Reading an engine's answer to a control call: at most 16 KiB of it, as text (a traceback can be huge).</summary>
internal static class EngineAnswer
{
    public const int MaxBytes = 16 * 1024;

    public static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBytes];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
