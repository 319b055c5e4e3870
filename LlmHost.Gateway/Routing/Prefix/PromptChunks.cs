using System.Buffers;
using System.IO.Hashing;

namespace LlmHost.Gateway.Routing.Prefix;

/// <summary>
/// A prompt as a chain of chunk hashes: the prompt's JSON (the whole <c>messages</c> list, or <c>prompt</c>) cut into
/// fixed-size chunks, each hashed with the hash of the chunks before it (and the model), so two prompts share their
/// first k hashes exactly when they share their first k chunks. The last, partial chunk is not hashed (an engine caches
/// whole blocks only). Pooled: dispose returns the array.
/// </summary>
public readonly struct PromptChunks : IDisposable
{
    private readonly ulong[]? _hashes;

    private PromptChunks(ulong[] hashes, int count)
    {
        _hashes = hashes;
        Count = count;
    }

    public int Count { get; }

    public ReadOnlySpan<ulong> Hashes => _hashes is null ? default : _hashes.AsSpan(0, Count);

    public static PromptChunks Of(ReadOnlySpan<byte> prompt, ReadOnlySpan<byte> model, int chunkBytes, int maxChunks)
    {
        var count = Math.Min(prompt.Length / chunkBytes, maxChunks);
        if (count == 0)
        {
            return default;
        }
        var hashes = ArrayPool<ulong>.Shared.Rent(count);
        var parent = XxHash64.HashToUInt64(model);
        for (var i = 0; i < count; i++)
        {
            parent = XxHash64.HashToUInt64(prompt.Slice(i * chunkBytes, chunkBytes), unchecked((long)parent));
            hashes[i] = parent;
        }
        return new PromptChunks(hashes, count);
    }

    public void Dispose()
    {
        if (_hashes is not null)
        {
            ArrayPool<ulong>.Shared.Return(_hashes);
        }
    }
}
