using System.Collections.Concurrent;
using System.Diagnostics;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Utilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmHost.Gateway.StoredResponses;

/// <summary>
/// Which engine instance keeps each Responses API response, per key — learnt from the answers that created them; a
/// key finds only its own. In this replica's memory (bounded per key, so that one key's flood of responses forgets
/// only its own, and expiring), and in Redis as well when the limits are shared there (<c>limits.store: redis</c>), so
/// that a follow-up reaching another replica finds the instance too. While Redis fails or does not answer, this
/// replica goes on with its own memory (logged once per outage) and tries Redis again every few seconds.
/// </summary>
public sealed partial class ResponseOwners(IOptionsMonitor<LlmHostConfig> config, ILogger<ResponseOwners> logger, IConnectionMultiplexer? redis = null)
{
    private const string KeyPrefix = "llmhost:response:";
    private static readonly TimeSpan RedisRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RedisCallTimeout = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, GenerationalMap<string, ResponseOwner>> _byKey = new(StringComparer.Ordinal);
    // When Redis last failed (a Stopwatch timestamp); 0 while it answers.
    private long _redisFailedAt;

    private StoredResponsesSettings Settings => config.CurrentValue.Routing.StoredResponses;

    /// <summary>Responses this replica remembers, for all keys.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var (_, map) in _byKey)
            {
                count += map.Count;
            }
            return count;
        }
    }

    /// <summary>
    /// Remembers <paramref name="owner"/> here and in Redis, without waiting for Redis: for what a request learns once
    /// its answer is over (the conversation's size), which must not hold the request open.
    /// </summary>
    public void Update(string id, ResponseOwner owner)
    {
        var settings = Settings;
        _byKey.GetOrAdd(owner.KeyId, static _ => new GenerationalMap<string, ResponseOwner>()).Set(id, owner, settings.MaxResponsesPerKey);
        if (Shared() is { } database && !owner.Model.Contains('\n'))
        {
            _ = TryAsync(() => database.StringSetAsync(RedisKey(owner.KeyId, id), owner.Serialize(), settings.Expiry));
        }
    }

    public async ValueTask RememberAsync(string id, ResponseOwner owner)
    {
        var settings = Settings;
        _byKey.GetOrAdd(owner.KeyId, static _ => new GenerationalMap<string, ResponseOwner>()).Set(id, owner, settings.MaxResponsesPerKey);
        if (Shared() is { } database && !owner.Model.Contains('\n'))
        {
            await TryAsync(() => database.StringSetAsync(RedisKey(owner.KeyId, id), owner.Serialize(), settings.Expiry));
        }
    }

    /// <summary>The owner of <paramref name="keyId"/>'s response <paramref name="id"/>; null when no replica remembers it (or it expired).</summary>
    public async ValueTask<ResponseOwner?> FindAsync(string keyId, string id)
    {
        var settings = Settings;
        if (_byKey.TryGetValue(keyId, out var map) && map.TryGet(id, settings.Expiry, out var owner))
        {
            // Used here: the other replicas must not forget it sooner.
            Shared()?.KeyExpire(RedisKey(keyId, id), settings.Expiry, flags: CommandFlags.FireAndForget);
            return owner;
        }
        if (Shared() is not { } database)
        {
            return null;
        }
        RedisValue value = default;
        await TryAsync(async () => value = await database.StringGetSetExpiryAsync(RedisKey(keyId, id), settings.Expiry));
        if (ResponseOwner.Parse(value) is not { } found || found.KeyId != keyId)
        {
            return null;
        }
        _byKey.GetOrAdd(keyId, static _ => new GenerationalMap<string, ResponseOwner>()).Set(id, found, settings.MaxResponsesPerKey);
        return found;
    }

    public async ValueTask ForgetAsync(string keyId, string id)
    {
        if (_byKey.TryGetValue(keyId, out var map))
        {
            map.Remove(id);
        }
        if (Shared() is { } database)
        {
            await TryAsync(() => database.KeyDeleteAsync(RedisKey(keyId, id)));
        }
    }

    private static string RedisKey(string keyId, string id) => string.Concat(KeyPrefix, keyId, ":", id);

    // Redis, when it is configured, connected, and has not failed in the last few seconds.
    private IDatabase? Shared()
    {
        if (redis is null || !redis.IsConnected)
        {
            return null;
        }
        var failedAt = Volatile.Read(ref _redisFailedAt);
        return failedAt == 0 || Stopwatch.GetElapsedTime(failedAt) > RedisRetry ? redis.GetDatabase() : null;
    }

    // A Redis call, bounded: one that does not answer in time counts as a failure (and Redis is skipped a while).
    private async Task TryAsync(Func<Task> call)
    {
        try
        {
            await call().WaitAsync(RedisCallTimeout);
            Volatile.Write(ref _redisFailedAt, 0);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (Interlocked.Exchange(ref _redisFailedAt, Stopwatch.GetTimestamp()) == 0)
            {
                RedisUnavailable(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Reason}): stored responses are remembered by this replica only until it answers again.")]
    private static partial void RedisUnavailable(ILogger logger, string reason);
}
