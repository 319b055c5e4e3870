using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Bounds the memory request bodies hold in this process — in total (<c>gateway.max_buffered_body_mb</c>) and per key
/// (<c>gateway.max_buffered_body_per_key_mb</c>) — counted as the buffers really grow, never from what a client
/// announces in <c>Content-Length</c>. A body is held from its first byte until the backend has read it (the
/// forwarder sends it from memory; a retry, possible only before that, sends it again). Per process on purpose: memory is this process's, with or without
/// Redis.
/// </summary>
public sealed class RequestBodyBudget(IOptionsMonitor<LlmHostConfig> config)
{
    private readonly IOptionsMonitor<LlmHostConfig> _config = config;
    // One counter per key that ever sent a body: a few dozen bytes each, bounded by the key file.
    private readonly ConcurrentDictionary<string, StrongBox<long>> _perKey = new(StringComparer.Ordinal);
    private long _total;

    /// <summary>Bytes all bodies hold now (0 when nothing leaked).</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Bytes the bodies of <paramref name="keyId"/> hold now.</summary>
    public long Of(string keyId) => _perKey.TryGetValue(keyId, out var held) ? Interlocked.Read(ref held.Value) : 0;

    public Lease Open(string keyId) => new(this, _perKey.GetOrAdd(keyId, static _ => new StrongBox<long>()));

    /// <summary>What one request's body holds; disposing it gives the bytes back.</summary>
    public sealed class Lease(RequestBodyBudget budget, StrongBox<long> key) : IDisposable
    {
        private long _held;

        public long Held => _held;

        /// <summary>Takes <paramref name="bytes"/> more, or says which bound refused them (nothing taken then).</summary>
        public LimitKind TryGrow(long bytes)
        {
            var settings = budget._config.CurrentValue.Gateway;
            if (Interlocked.Add(ref budget._total, bytes) > settings.MaxBufferedBodyBytes)
            {
                Interlocked.Add(ref budget._total, -bytes);
                return LimitKind.GlobalBodyBytes;
            }
            if (Interlocked.Add(ref key.Value, bytes) > settings.MaxBufferedBodyPerKeyBytes)
            {
                Interlocked.Add(ref key.Value, -bytes);
                Interlocked.Add(ref budget._total, -bytes);
                return LimitKind.BodyBytes;
            }
            _held += bytes;
            return LimitKind.None;
        }

        public void Dispose()
        {
            var held = Interlocked.Exchange(ref _held, 0);
            if (held != 0)
            {
                Interlocked.Add(ref key.Value, -held);
                Interlocked.Add(ref budget._total, -held);
            }
        }
    }
}
